"""Search pieces that need no index: query terms, fusion, highlighting, filters."""

from __future__ import annotations

from findings.search import Filters, fts_query, fuse, highlight, query_terms


def test_query_terms_drop_stopwords_and_repeats():
    assert query_terms("The quality of the assessments is variable, quality!") == [
        "quality", "assessments", "variable"]


def test_fts_query_quotes_terms():
    assert fts_query(["public", "law"]) == '"public" OR "law"'


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = dict(fuse([[1, 2, 3], [3, 1]]))
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2]


def test_highlight_matches_inflections():
    matched, spans = highlight("Supervision is not reflective and supervisors are busy.",
                               ["supervision", "reflective"])
    assert matched == ["supervision", "reflective"]
    assert [0, 11] in spans


def test_filters_build_a_where_clause():
    where, params = Filters(label="weakness", date_from="2020-01-01").sql()
    assert "f.label = ?" in where and "d.published >= ?" in where
    assert params == ["weakness", "2020-01-01"]
    assert Filters().sql() == ("1", [])


def test_quality_flags_mark_low_confidence_and_long_texts():
    from findings.search import quality_flags

    assert quality_flags("Plans are weak.", 0.95) == []
    assert quality_flags("Plans are weak.", 0.4) == ["low_confidence_label"]
    assert quality_flags("word " * 300, 0.9) == ["truncated_for_encoder"]


def test_filters_key_is_hashable_and_tracks_values():
    assert Filters().key() == (None,) * 8 and not Filters().active()
    assert Filters(label="weakness").key() != Filters(council="weakness").key()
    assert Filters(theme="x").active()


def fts_lexical(conn, terms, depth, filters):
    """The FTS5 query the engine used before BM25 moved into memory."""
    where, params = filters.sql()
    rows = conn.execute(
        "SELECT f.rowid FROM findings_fts JOIN findings f ON f.rowid = findings_fts.rowid "
        f"JOIN documents d USING (doc_id) WHERE findings_fts MATCH ? AND {where} "
        "ORDER BY bm25(findings_fts) LIMIT ?", [fts_query(terms), *params, depth]).fetchall()
    return [r[0] for r in rows]


def test_engine_lexical_matches_the_fts5_query_with_filters(tiny_engine):
    for query in ("supervision of social workers", "children's plans", "asylum-seeking children"):
        for filters in (Filters(), Filters(label="weakness"), Filters(council="wiltshire")):
            terms = tiny_engine.selective_terms(query_terms(query))
            assert tiny_engine.lexical(query_terms(query), 5, filters) == fts_lexical(
                tiny_engine.conn, terms, 5, filters)


def test_selective_terms_keep_the_two_rarest_when_all_are_common(tiny_engine):
    assert tiny_engine.document_frequency("children") > tiny_engine.document_frequency("budget") > 0
    assert tiny_engine.selective_terms(["children", "budget", "supervision"]) == ["budget", "supervision"]


def test_search_filters_collapses_duplicates_and_highlights(tiny_engine):
    hits = tiny_engine.search("supervision of social workers", k=10)
    texts = [h.text for h in hits]
    assert len(texts) == len(set(texts))
    assert "supervision" in hits[0].matched_terms and hits[0].highlights
    weak = tiny_engine.search("supervision of social workers", k=10, filters=Filters(label="weakness"))
    assert weak and {h.label for h in weak} == {"weakness"}
    per_report = tiny_engine.search("children", k=10, one_per="report")
    assert len(per_report) == len({h.doc_id for h in per_report}) == 2
    assert tiny_engine.finding(hits[0].id).text == hits[0].text


def test_query_embeddings_are_cached_in_a_bounded_lru(tiny_engine):
    encoder = tiny_engine.encoder
    first = tiny_engine.search("supervision", k=3)
    assert tiny_engine.search("supervision", k=3) == first
    assert encoder.calls == [["supervision"]]
    tiny_engine.search("budget", k=3)
    tiny_engine.search("plans", k=3)
    tiny_engine.search("supervision", k=3)
    assert [c[0] for c in encoder.calls] == ["supervision", "budget", "plans", "supervision"]


def test_embed_async_encodes_on_the_batching_thread_and_caches(tiny_engine):
    import asyncio
    import threading

    import numpy as np

    from findings.search import SearchEngine

    encoder, threads = tiny_engine.encoder, []
    plain_encode = encoder.encode

    def encode_and_note_thread(texts, batch_size=16):
        threads.append(threading.current_thread().name)
        return plain_encode(texts, batch_size)

    encoder.encode = encode_and_note_thread
    engine = SearchEngine(tiny_engine.conn, tiny_engine.index, encoder, lexical=tiny_engine.lexical_index,
                          query_batch=4)

    async def ask(queries):
        return await asyncio.gather(*(engine.embed_async(q) for q in queries))

    try:
        vectors = asyncio.run(ask(["supervision", "budget plans"]))
        assert set(threads) == {"query-encoder"}
        for query, vector in zip(["supervision", "budget plans"], vectors, strict=True):
            assert np.allclose(vector, plain_encode([query])[0], atol=1e-6)
        calls = len(encoder.calls)
        assert np.array_equal(asyncio.run(ask(["budget plans"]))[0], vectors[1])
        assert len(encoder.calls) == calls  # the second ask came from the cache
        hits = engine.search("supervision", k=2, vector=vectors[0])
        assert hits == tiny_engine.search("supervision", k=2)
    finally:
        engine.batcher.close()
