"""In-memory BM25 against SQLite FTS5 itself on a tiny store: same rows, same order, same scores."""

from __future__ import annotations

import numpy as np
import pytest

from findings.retrieval.lexical import LexicalIndex, intersect_sorted
from findings.store.fts import QueryTokenizer
from tests.conftest import fts_query

QUERIES = (
    ["supervision"],
    ["supervision", "social", "workers"],
    ["children's", "plans"],
    ["asylum-seeking"],
    ["well-being", "budget"],
    ["reviewed"],
    ["nothing", "matches", "this"],
)


def fts_ranking(conn, terms: list[str]) -> list[tuple[int, float]]:
    return conn.execute("SELECT rowid, bm25(findings_fts) FROM findings_fts WHERE findings_fts MATCH ? "
                        "ORDER BY bm25(findings_fts)", (fts_query(terms),)).fetchall()


@pytest.mark.parametrize("terms", QUERIES)
def test_rankings_and_scores_equal_fts5_bm25(tiny_store, terms):
    lexical = LexicalIndex.from_store(tiny_store)
    expected = fts_ranking(tiny_store, terms)
    assert lexical.rank(terms, 50) == [rowid for rowid, _ in expected]
    rowids, scores = lexical.scores(terms)
    by_row = dict(zip(rowids.tolist(), scores.tolist(), strict=True))
    for rowid, bm25 in expected:
        assert by_row[rowid] == pytest.approx(-bm25, rel=1e-9)


def test_equal_scores_keep_rowid_order_and_depth_cuts(tiny_store):
    lexical = LexicalIndex.from_store(tiny_store)
    ranking = lexical.rank(["reflective"], 10)
    texts = [tiny_store.execute("SELECT text FROM findings WHERE rowid = ?", (r,)).fetchone()[0]
             for r in ranking]
    assert len(ranking) == 2 and texts[0] == texts[1] and ranking == sorted(ranking)
    assert lexical.rank(["supervision", "social"], 2) == lexical.rank(["supervision", "social"], 50)[:2]


def test_allowed_rowids_restrict_results(tiny_store):
    lexical = LexicalIndex.from_store(tiny_store)
    weaknesses = np.array([r[0] for r in tiny_store.execute(
        "SELECT rowid FROM findings WHERE label = 'weakness' ORDER BY rowid")], dtype=np.int64)
    everything = lexical.rank(["supervision", "children"], 50)
    filtered = lexical.rank(["supervision", "children"], 50, weaknesses)
    assert filtered == [r for r in everything if r in set(weaknesses.tolist())]
    assert lexical.rank(["supervision"], 50, np.zeros(0, dtype=np.int64)) == []


def test_document_frequency_counts_rows_like_fts5(tiny_store):
    lexical = LexicalIndex.from_store(tiny_store)
    for term in ("children", "children's", "supervision", "asylum-seeking", "absent"):
        count = tiny_store.execute("SELECT count(*) FROM findings_fts WHERE findings_fts MATCH ?",
                                   (fts_query([term]),)).fetchone()[0]
        assert lexical.document_frequency(term) == count, term
    assert lexical.rows == len(tiny_store.execute("SELECT rowid FROM findings").fetchall())


def test_query_tokenizer_stems_and_splits_like_the_store():
    tokens = QueryTokenizer()
    assert tokens.tokens("Children's") == ("children", "s")
    assert tokens.tokens("reviewed") == ("review",)
    assert tokens.tokens("Café well-being") == ("cafe", "well", "be")


def test_intersect_sorted():
    first = np.array([1, 3, 5, 7, 9], dtype=np.int64)
    assert intersect_sorted(first, np.array([0, 3, 4, 9, 12], dtype=np.int64)).tolist() == [3, 9]
    assert intersect_sorted(first, np.zeros(0, dtype=np.int64)).tolist() == []
    assert intersect_sorted(np.array([10], dtype=np.int64), first).tolist() == []


def test_precomputed_token_scores_equal_scoring_positions_bit_for_bit(tiny_store):
    lexical = LexicalIndex.from_store(tiny_store)
    for term in ("supervision", "reflective", "children", "plans", "care"):
        rowids, scores = lexical.term_scores(term)
        assert len(rowids)
        expected_rowids, expected_scores = lexical.phrase_scores(term)
        assert np.array_equal(rowids, expected_rowids)
        assert np.array_equal(scores, expected_scores)  # exact, not approximately
        assert not scores.flags.writeable
