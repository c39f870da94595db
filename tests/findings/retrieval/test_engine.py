"""The search engine over a tiny store: fusion of its retrievers, filters, caches, async search."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from findings.retrieval import Filters, Query
from findings.retrieval.highlight import query_terms
from findings.retrieval.lexical import LexicalIndex
from tests.conftest import copy_store, fts_query, requires_corpus


def fts_lexical(conn, terms, depth, allowed):
    """The FTS5 query the engine used before BM25 moved into memory, among ``allowed`` rowids."""
    within = "" if allowed is None else f"AND rowid IN ({','.join(map(str, allowed.tolist()))})"
    rows = conn.execute(f"SELECT rowid FROM findings_fts WHERE findings_fts MATCH ? {within} "
                        "ORDER BY bm25(findings_fts) LIMIT ?", [fts_query(terms), depth]).fetchall()
    return [r[0] for r in rows]


def lexical_of(engine) -> LexicalIndex:
    return next(r for r, _ in engine.retrievers if isinstance(r, LexicalIndex))


def test_engine_lexical_matches_the_fts5_query_with_filters(tiny_engine):
    lexical = lexical_of(tiny_engine)
    for query in ("supervision of social workers", "children's plans", "asylum-seeking children"):
        for filters in (Filters(), Filters(label="weakness"), Filters(council="wiltshire")):
            allowed = tiny_engine.allowed_ids(filters)
            terms = lexical.selective_terms(query_terms(query))
            assert lexical.search(Query(query, tuple(query_terms(query))), 5, allowed) == fts_lexical(
                tiny_engine.conn, terms, 5, allowed)


def test_selective_terms_keep_the_two_rarest_when_all_are_common(tiny_engine):
    lexical = lexical_of(tiny_engine)
    assert lexical.document_frequency("children") > lexical.document_frequency("budget") > 0
    assert lexical.selective_terms(["children", "budget", "supervision"]) == ["budget", "supervision"]


def test_engine_fuses_its_retrievers_in_order_with_their_weights(tiny_engine):
    query = "budget overspent"
    both = tiny_engine.search(query, k=1)[0]
    assert both.score == pytest.approx(round(1 / 61 + 0.25 / 61, 6))  # first in both rankings
    tiny_engine.retrievers = [p for p in tiny_engine.retrievers if not isinstance(p[0], LexicalIndex)]
    assert tiny_engine.search(query, k=1)[0].score == pytest.approx(round(1 / 61, 6))


def test_engine_needs_a_dense_retriever(tiny_store):
    from findings.retrieval import SearchEngine
    from tests.conftest import FakeEncoder

    with pytest.raises(ValueError, match="dense"):
        SearchEngine(tiny_store, [(LexicalIndex.from_store(tiny_store), 1.0)], FakeEncoder(),
                     query_cache_size=0)


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

    from findings.retrieval import SearchEngine

    encoder, release = tiny_engine.encoder, threading.Event()
    plain_encode = encoder.encode

    def gated_encode(texts, batch_size=16):
        release.wait(timeout=2)
        return plain_encode(texts, batch_size)

    encoder.encode = gated_encode
    engine = SearchEngine(tiny_engine.conn, tiny_engine.retrievers, encoder, query_cache_size=1024,
                          query_batch=query_batch)
    return engine, release, plain_encode


@pytest.mark.parametrize("query_batch", [1, 4])
def test_search_async_leaves_the_loop_free_while_encoding(tiny_engine, query_batch):
    import asyncio


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
    import findings.retrieval.engine as search_module

    def every_hit():
        return [hit.id for k in (1, 2, 5) for one_per in (None, "report", "council")
                for hit in tiny_engine.search("children plans supervision", k=k, one_per=one_per)]

    monkeypatch.setattr(search_module, "ROW_MARGIN", 1000)
    all_rows_at_once = every_hit()
    monkeypatch.setattr(search_module, "ROW_MARGIN", 0)  # k rows a time: chunk boundaries crossed
    assert every_hit() == all_rows_at_once
    assert len(all_rows_at_once) > 9


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


def test_the_engine_names_the_query_words_no_finding_holds(tiny_engine):
    assert tiny_engine.absent_terms("supervision of social wrokers") == ["wrokers"]
    assert tiny_engine.absent_terms("supervision of social workers") == []
    assert tiny_engine.absent_terms("supervisión") == []  # accents fold as the index folds them
    assert tiny_engine.absent_terms("wrökers") == ["wrökers"]  # named whole, not as fragments


@requires_corpus()
def test_an_engine_opened_again_maps_the_arrays_the_first_derived_and_answers_alike(built_settings, tmp_path,
                                                                                     monkeypatch):
    from findings.relevance.counts import Counter
    from findings.retrieval import engine as engine_module
    from findings.retrieval import lexical
    from findings.settings import Settings
    from findings.store import reads

    data_dir = copy_store(built_settings, tmp_path / "data")
    shutil.rmtree(data_dir / "arrays", ignore_errors=True)  # the session's store may have kept some
    settings = Settings(corpus=built_settings.corpus, data_dir=data_dir, exact_index_limit=10)  # coarse too

    def answers() -> tuple:
        engine = engine_module.SearchEngine.open(settings)
        count = Counter.open(engine, settings).count("management oversight of casework", cutoff=0.5)
        hits = engine.search("supervision of social workers", k=5, filters=Filters(label="weakness"))
        engine.close()
        return [f["id"] for f in count.findings], count.totals, [h.id for h in hits]

    first = answers()
    (state,) = (settings.data_dir / "arrays").iterdir()
    assert {p.name.split("-")[0] for p in state.iterdir()} == {"bm25", "vectors", "filters", "confidences",
                                                              "coarse", "documents"}

    def refuse(*args, **kwargs):
        raise AssertionError("derived again")

    for module, name in ((lexical, "posting_keys"), (reads, "filter_values"), (reads, "label_confidences"),
                         (reads, "finding_documents")):
        monkeypatch.setattr(module, name, refuse)
    assert answers() == first and first[0]
