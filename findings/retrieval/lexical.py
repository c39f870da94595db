"""In-memory BM25 over the findings, scored exactly as SQLite FTS5's ``bm25()`` scores them.

The store's FTS5 index (``findings_fts``, read through :mod:`findings.store.fts`) stays the
source of truth: at open, its token instances are read once into a positional posting array,
and query terms are tokenised by SQLite itself (an in-memory FTS5 table with the same tokenizer),
so stems and phrases match the FTS5 query ``"t1" OR "t2" ...`` token for token. A term that
tokenises to several tokens ("children's", "asylum-seeking") is a phrase, as in FTS5.

Scoring follows FTS5's ``bm25()`` (k1 = 1.2, b = 0.75, IDF ``log((N - n + 0.5) / (n + 0.5))``
floored at 1e-6, summed over the query's phrases in order), ties broken by rowid, so rankings
equal ``ORDER BY bm25(findings_fts)`` without a per-request SQLite query. Query terms found in
more than ``COMMON_TERM_SHARE`` of the findings are left out of a search (they barely move BM25
but cost a long posting list).
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np

from findings.retrieval.base import Query, Retriever
from findings.retrieval.cache import ArrayCache, Arrays, pack_strings, unpack_strings
from findings.store.fts import OFFSET_BITS, QueryTokenizer, indexed_rows, posting_keys

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6
COMMON_TERM_SHARE = 0.05
DERIVED = ("lengths", "row_counts", "impact_starts", "impact_rowids", "impacts")  # see LexicalIndex.derive


def intersect_sorted(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Sorted common values of two sorted arrays of unique values.

    Binary search of the shorter array in the longer: cheaper than a merge when one posting list
    is long (a phrase of a rare and a very common token).
    """
    short, long = (first, second) if len(first) <= len(second) else (second, first)
    if not len(short) or not len(long):
        return short[:0]
    spots = np.minimum(np.searchsorted(long, short), len(long) - 1)
    return short[long[spots] == short]


class LexicalIndex(Retriever):
    """BM25 over a positional posting array held in memory."""

    def __init__(self, terms: list[str], starts: np.ndarray, keys: np.ndarray, rows: int | None = None,
                 tokenizer: QueryTokenizer | None = None, derived: Arrays | None = None) -> None:
        """Wrap postings from :func:`posting_keys`.

        Args:
            terms: the indexed tokens.
            starts: where each token's keys start in ``keys`` (plus a final end).
            keys: ``rowid << OFFSET_BITS | offset`` of every token instance, sorted per token.
            rows: the number of indexed rows, empty ones included (default: rows with tokens).
            tokenizer: how query terms are tokenised (default: the store's FTS5 tokenizer).
            derived: what :meth:`arrays` gave for these postings (default: derived here).

        """
        self.term_ids = {term: i for i, term in enumerate(terms)}
        self.starts = starts
        self.keys = keys
        self.tokenizer = tokenizer or QueryTokenizer()
        if derived is None:
            self.derive(rows)
        else:
            for name in DERIVED:
                setattr(self, name, derived[name])
            self.rows = int(derived["rows"])
            self.avgdl = float(len(keys)) / self.rows if self.rows else 1.0
        self.impact_rowids.flags.writeable = self.impacts.flags.writeable = False  # handed out as views

    def derive(self, rows: int | None) -> None:
        """Row lengths, each token's row count and its BM25 impacts, from the postings."""
        keys, starts = self.keys, self.starts
        rowids = keys >> OFFSET_BITS
        self.lengths = np.bincount(rowids).astype(np.float64)  # tokens by rowid
        first_in_row = np.ones(len(keys), dtype=np.int64)
        first_in_row[1:] = rowids[1:] != rowids[:-1]
        first_in_row[starts[:-1][starts[:-1] < len(keys)]] = 1
        self.row_counts = np.add.reduceat(first_in_row, starts[:-1]) if len(keys) else starts[:-1]
        self.rows = max(rows or 0, int(np.count_nonzero(self.lengths)))
        self.avgdl = float(len(keys)) / self.rows if self.rows else 1.0
        self.impact_starts, self.impact_rowids, self.impacts = self.token_impacts(rowids, first_in_row)

    def arrays(self) -> Arrays:
        """The index as arrays, for :class:`~findings.retrieval.cache.ArrayCache`."""
        return {"terms": pack_strings(list(self.term_ids)), "starts": self.starts, "keys": self.keys,
                "rows": np.array(self.rows), **{name: getattr(self, name) for name in DERIVED}}

    def token_impacts(self, rowids: np.ndarray, first_in_row: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                    np.ndarray]:
        """Each token's BM25 contribution to each row it occurs in, computed once at open.

        A query term that is one token (most are) then costs a slice instead of a pass over its
        positions. The arithmetic is the per-query formula's, in the same order, so the scores
        are bit-identical to scoring the term's positions at query time.

        Returns:
            Where each token's rows start (plus a final end), the rowids, and the contributions.

        """
        firsts = np.flatnonzero(first_in_row)
        freq = np.diff(np.append(firsts, len(rowids))).astype(np.float64)
        matched = rowids[firsts]
        idf = np.array([self.idf(int(n)) for n in self.row_counts], dtype=np.float64)
        impacts = self.row_parts(np.repeat(idf, self.row_counts), matched, freq)
        return np.concatenate([[0], np.cumsum(self.row_counts)]), matched, impacts

    def row_parts(self, idf: float | np.ndarray, rowids: np.ndarray, freq: np.ndarray) -> np.ndarray:
        """FTS5's BM25 term part for each row: ``idf * freq (k1 + 1) / (freq + k1 (1 - b + b len/avg))``."""
        norm = K1 * (1 - B + B * self.lengths[rowids] / self.avgdl)
        return idf * ((freq * (K1 + 1.0)) / (freq + norm))

    def idf(self, rows_matched: int) -> float:
        """FTS5's IDF of a phrase found in ``rows_matched`` rows (floored at ``MIN_IDF``)."""
        return max(MIN_IDF, math.log((self.rows - rows_matched + 0.5) / (rows_matched + 0.5)))

    @classmethod
    def from_store(cls, conn: sqlite3.Connection, table: str = "findings_fts",
                   cache: ArrayCache | None = None) -> LexicalIndex:
        """Read the FTS5 index of a store (two seconds per hundred thousand findings; kept in ``cache``)."""
        name = f"bm25-{table}-k{K1}-b{B}-idf{MIN_IDF}"  # the impacts hold the formula's constants
        arrays = (cache or ArrayCache(None)).arrays(
            name, lambda: cls(*posting_keys(conn, table), rows=indexed_rows(conn, table)).arrays())
        return cls(unpack_strings(arrays["terms"]), arrays["starts"], arrays["keys"], derived=arrays)

    @classmethod
    def load(cls, conn: sqlite3.Connection, folder: Path | None = None,
             cache: ArrayCache | None = None) -> LexicalIndex:
        """Read the store's FTS5 index (its index lives in the store, not in ``folder``)."""
        return cls.from_store(conn, cache=cache)

    def count(self) -> int:
        """How many findings are indexed (empty ones included)."""
        return self.rows

    def postings(self, token: str) -> np.ndarray:
        """Sorted keys of one token's instances."""
        term = self.term_ids.get(token)
        if term is None:
            return self.keys[:0]
        return self.keys[self.starts[term] : self.starts[term + 1]]

    def phrase_frequencies(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Rowids containing a query term (a phrase of its tokens) and how often each does."""
        tokens = self.tokenizer.tokens(term)
        if not tokens:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        matches = self.postings(tokens[0])
        for shift, token in enumerate(tokens[1:], start=1):
            matches = intersect_sorted(matches, self.postings(token) - shift)
        rowids = matches >> OFFSET_BITS  # sorted, so each row's instances are one run
        firsts = np.flatnonzero(np.concatenate([[True], rowids[1:] != rowids[:-1]])) if len(rowids) else (
            np.zeros(0, dtype=np.int64))
        return rowids[firsts], np.diff(np.append(firsts, len(rowids)))

    def document_frequency(self, term: str) -> int:
        """How many findings contain a query term."""
        tokens = self.tokenizer.tokens(term)
        if len(tokens) == 1:
            index = self.term_ids.get(tokens[0])
            return 0 if index is None else int(self.row_counts[index])
        return len(self.phrase_frequencies(term)[0])

    def scores(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores (higher is better) of the rowids matching any term, in rowid order.

        Each row's contributions are summed in term order, as FTS5 sums them.
        """
        found = [pair for pair in map(self.term_scores, terms) if len(pair[0])]
        if len(found) == 1:
            return found[0]
        rowids = np.concatenate([np.zeros(0, dtype=np.int64)] + [rowids for rowids, _ in found])
        parts = np.concatenate([np.zeros(0, dtype=np.float64)] + [part for _, part in found])
        order = np.argsort(rowids, kind="stable")  # timsort: one merge of the terms' sorted runs
        rowids, parts = rowids[order], parts[order]  # a row's parts stay in term order
        starts = np.ones(len(rowids), dtype=bool)
        starts[1:] = rowids[1:] != rowids[:-1]
        return rowids[starts], np.bincount(np.cumsum(starts) - 1, weights=parts)

    def term_scores(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The rowids containing one query term, in order, and the term's BM25 part for each."""
        tokens = self.tokenizer.tokens(term)
        if len(tokens) == 1 and tokens[0] in self.term_ids:
            index = self.term_ids[tokens[0]]
            span = slice(self.impact_starts[index], self.impact_starts[index + 1])
            return self.impact_rowids[span], self.impacts[span]
        return self.phrase_scores(term)

    def phrase_scores(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`term_scores` computed at query time from the term's token positions."""
        matched, freq = self.phrase_frequencies(term)
        return matched, self.row_parts(self.idf(len(matched)), matched, freq.astype(np.float64))

    def selective_terms(self, terms: list[str]) -> list[str]:
        """Drop terms so common that they barely move BM25 but cost a long posting list.

        Terms in more than ``COMMON_TERM_SHARE`` of findings go, unless nothing would be left,
        in which case the two rarest stay.
        """
        total = max(1, self.rows)
        ranked = sorted(terms, key=self.document_frequency)
        kept = [t for t in ranked if self.document_frequency(t) <= COMMON_TERM_SHARE * total]
        return [t for t in terms if t in (kept or ranked[:2])]

    def search(self, query: Query, depth: int, allowed: np.ndarray | None = None) -> list[int]:
        """Best rowids by BM25 for the query's selective terms (see :meth:`rank`)."""
        terms = self.selective_terms(list(query.terms)) if query.terms else []
        return self.rank(terms, depth, allowed) if terms else []

    def rank(self, terms: list[str], depth: int, allowed: np.ndarray | None = None) -> list[int]:
        """Best rowids by BM25 for an OR of the terms, optionally only among sorted ``allowed``.

        Equal scores keep rowid order (as ``ORDER BY bm25(...)`` does on this index).
        """
        rowids, scores = self.scores(terms)
        if allowed is not None and len(rowids):
            spots = np.minimum(np.searchsorted(allowed, rowids), max(0, len(allowed) - 1))
            keep = allowed[spots] == rowids if len(allowed) else np.zeros(len(rowids), dtype=bool)
            rowids, scores = rowids[keep], scores[keep]
        if len(scores) > depth > 0:
            cut = np.partition(scores, len(scores) - depth)[len(scores) - depth]
            rowids, scores = rowids[scores >= cut], scores[scores >= cut]
        order = np.lexsort((rowids, -scores))[:depth]
        return [int(r) for r in rowids[order]]
