"""Search pieces that need no index: query terms, fusion, highlighting, filters."""

from __future__ import annotations

import numpy as np
import pytest

from findings.search import Filters, fts_query, fuse, highlight, query_terms, weigh_by_confidence


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
    assert highlight("SUPERVIſION is weak", ["supervision"])[0] == ["supervision"]  # as re.I does
    assert highlight("Supervision is weak", ["ſupervision"])[0] == ["ſupervision"]
    assert highlight("Plans are weak.", ["supervision", "plans"]) == (["plans"], [[0, 5]])


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
    assert quality_flags("a " * 197, 0.9) == ["truncated_for_encoder"]  # 197 words x 1.3 > 256
    assert quality_flags("a " * 196, 0.9) == []


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


def gated_engine(tiny_engine, query_batch: int):
    """An engine over the tiny store whose encoder waits for ``release`` (set after 2 s at most)."""
    import threading

    from findings.search import SearchEngine

    encoder, release = tiny_engine.encoder, threading.Event()
    plain_encode = encoder.encode

    def gated_encode(texts, batch_size=16):
        release.wait(timeout=2)
        return plain_encode(texts, batch_size)

    encoder.encode = gated_encode
    engine = SearchEngine(tiny_engine.conn, tiny_engine.index, encoder, lexical=tiny_engine.lexical_index,
                          query_batch=query_batch)
    return engine, release, plain_encode


@pytest.mark.parametrize("query_batch", [1, 4])
def test_search_async_leaves_the_loop_free_while_encoding(tiny_engine, query_batch):
    import asyncio

    import numpy as np

    engine, release, plain_encode = gated_engine(tiny_engine, query_batch)

    async def scenario():
        pending = asyncio.create_task(engine.search_async("supervision", k=2))
        await asyncio.sleep(0.2)
        loop_was_free = not pending.done()  # a blocked loop resumes only once the search is done
        release.set()
        return loop_was_free, await pending

    try:
        loop_was_free, hits = asyncio.run(scenario())
        assert loop_was_free
        assert hits == tiny_engine.search("supervision", k=2)
        calls = len(tiny_engine.encoder.calls)
        vector = asyncio.run(engine.embed_async("supervision"))
        assert len(tiny_engine.encoder.calls) == calls  # cached
        assert np.allclose(vector, plain_encode(["supervision"])[0], atol=1e-6)
    finally:
        engine.close()


def test_search_async_prepares_a_new_filter_and_matches_search(tiny_engine):
    import asyncio

    engine, release, _ = gated_engine(tiny_engine, 4)
    release.set()
    try:
        filters = Filters(label="weakness")
        hits = asyncio.run(engine.search_async("supervision of social workers", k=3, filters=filters))
        assert filters.key() in engine._allowed
        assert hits and {h.label for h in hits} == {"weakness"}
        expected = tiny_engine.search("supervision of social workers", k=3, filters=Filters(label="weakness"))
        assert hits == expected
    finally:
        engine.close()


def test_hits_do_not_depend_on_how_many_rows_are_read_at_a_time(tiny_engine, monkeypatch):
    import findings.search as search_module

    def every_hit():
        return [hit.id for k in (1, 2, 5) for one_per in (None, "report", "council")
                for hit in tiny_engine.search("children plans supervision", k=k, one_per=one_per)]

    monkeypatch.setattr(search_module, "ROW_MARGIN", 1000)
    all_rows_at_once = every_hit()
    monkeypatch.setattr(search_module, "ROW_MARGIN", 0)  # k rows a time: chunk boundaries crossed
    assert every_hit() == all_rows_at_once
    assert len(all_rows_at_once) > 9


def test_weigh_by_confidence_reorders_by_label_certainty():
    confidence = np.array([1.0, 0.5, 1.0], dtype=np.float32)
    assert weigh_by_confidence([(1, 0.02), (2, 0.015), (7, 0.012)], confidence) == [
        (2, 0.015), (7, 0.012), (1, 0.01)]  # rowid 7 lies beyond the array: sure


def test_label_filter_ranks_an_uncertain_label_below_a_sure_one(tiny_engine):
    query, filters = "supervision of social workers", Filters(label="weakness")
    before = tiny_engine.search(query, k=10, filters=filters)
    unfiltered = tiny_engine.search(query, k=10)
    assert len(before) >= 2
    first = tiny_engine.conn.execute("SELECT rowid FROM findings WHERE id = ?", (before[0].id,)).fetchone()[0]
    confidence = tiny_engine.label_confidence.copy()
    confidence[first] = 0.1
    tiny_engine.label_confidence = confidence
    after = tiny_engine.search(query, k=10, filters=filters)
    assert after[0].id != before[0].id and after[-1].id == before[0].id
    assert tiny_engine.search(query, k=10) == unfiltered  # no label filter: confidence unused
