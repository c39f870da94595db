"""Hybrid search over findings: BM25 and FAISS dense rankings, weighted RRF.

Dense retrieval leads (it carries lay paraphrases); BM25 contributes at a lower weight
(``lexical_weight``, measured on the graded dev queries: equal-weight fusion is worse than dense
alone, a weight of 0.2-0.35 beats both). Filters (label, council, collection, dates, theme,
grade) apply to both retrievers. Under a label filter the fused score is multiplied by the
classifier's confidence in each finding's label (:func:`findings.query.weigh_by_confidence`;
``bench.search_quality``: hard nDCG@10 0.838 -> 0.864, topic unchanged; in an offline replay the
same weighting of dense ranks alone lowered them, 0.814 -> 0.796, so :meth:`SearchEngine.similar`,
which ranks by dense similarity only, does not use it). Near-duplicate findings
(the same sentence in summary and body) are collapsed; hits carry provenance and the query terms
that matched.

Per request nothing is re-read that an open engine can hold: BM25 runs over the FTS5 postings
held in memory (:mod:`findings.lexical`, same scores as FTS5), each filter's rowids are kept
(bounded), query embeddings are kept in a bounded LRU cache, and only the finding rows a result
actually reaches are read from SQLite.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections import OrderedDict

import numpy as np

from findings.batching import BatchingEncoder
from findings.encoder import encode
from findings.index import VectorIndex
from findings.lexical import LexicalIndex
from findings.query import (  # noqa: F401  (re-exported: the search API in one place)
    ALLOWED_CACHE_SIZE,
    COMMON_TERM_SHARE,
    DUPLICATE_COSINE,
    LEXICAL_WEIGHT,
    RRF_K,
    Filters,
    Hit,
    fts_query,
    fuse,
    highlight,
    quality_flags,
    query_terms,
    weigh_by_confidence,
)

ROW_MARGIN = 6  # rows read beyond k at a time (for collapsed duplicates and one-per)
ROW_QUERY = ("SELECT f.rowid AS rowid, f.id, f.doc_id, f.text, f.label, f.confidence, f.page, f.section, "
             "f.themes, f.start_char, f.end_char, d.council, d.collection, d.published, d.source_url "
             "FROM findings f JOIN documents d USING (doc_id) WHERE ")
QUERY_CACHE_SIZE = 1024


def label_confidences(conn: sqlite3.Connection) -> np.ndarray:
    """The classifier's confidence in each finding's label, indexed by rowid (1.0 when unknown)."""
    rows = conn.execute("SELECT rowid, confidence FROM findings WHERE confidence IS NOT NULL").fetchall()
    last = conn.execute("SELECT max(rowid) FROM findings").fetchone()[0]
    confidence = np.ones(0 if last is None else last + 1, dtype=np.float32)
    if rows:
        rowids, values = zip(*rows, strict=True)
        confidence[list(rowids)] = values
    confidence.flags.writeable = False
    return confidence


class SearchEngine:
    """Hybrid retrieval over a built store and vector index."""

    def __init__(self, conn: sqlite3.Connection, index: VectorIndex, encoder=None,
                 lexical_weight: float = LEXICAL_WEIGHT, lexical: LexicalIndex | None = None,
                 query_cache_size: int = QUERY_CACHE_SIZE, query_batch: int = 1) -> None:
        """Wrap an open store, a loaded FAISS index and a loaded encoder.

        Args:
            conn: the store.
            index: its vector index.
            encoder: the query encoder (the default backend if None).
            lexical_weight: the weight of BM25 in the fusion.
            lexical: BM25 postings (read from the store's FTS5 index if None).
            query_cache_size: how many query embeddings to keep (0: none).
            query_batch: above 1, concurrent queries are encoded together, up to this many
                (see :mod:`findings.batching`).

        """
        self.conn = conn
        self.index = index
        self.encoder = encoder
        self.lexical_weight = lexical_weight
        self.lexical_index = lexical or LexicalIndex.from_store(conn)
        self.label_confidence = label_confidences(conn)
        self.query_cache_size = query_cache_size
        self.batcher = BatchingEncoder(encoder, query_batch) if query_batch > 1 else None
        self._embeddings: OrderedDict[str, np.ndarray] = OrderedDict()
        self._allowed: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings) -> SearchEngine:
        """Open the built store, index and encoder named by settings."""
        from findings.encoder import load_encoder
        from findings.index import limit_threads, load_vector_index
        from findings.store import connect

        if settings.search_threads:
            limit_threads(settings.search_threads)
        conn = connect(settings.db_path, read_only=True)
        index = load_vector_index(settings.index_dir, settings.hnsw_ef_search,
                                  settings.exact_filter_limit, settings.search_threads or None)
        encoder = load_encoder(settings.query_backend, settings.encoder, str(settings.encoder_cache))
        return cls(conn, index, encoder, settings.lexical_weight,
                   query_cache_size=settings.query_cache_size, query_batch=settings.query_batch)

    def close(self) -> None:
        """Stop the query-encoding thread and close the store."""
        if self.batcher is not None:
            self.batcher.close()
        self.conn.close()

    def cached_embedding(self, query: str) -> np.ndarray | None:
        """A query's embedding if it was asked recently (None otherwise)."""
        with self._lock:
            if query in self._embeddings:
                self._embeddings.move_to_end(query)
                return self._embeddings[query]
        return None

    def embed(self, query: str) -> np.ndarray:
        """The embedding of a query, from the bounded LRU cache when it was asked recently."""
        vector = self.cached_embedding(query)
        if vector is not None:
            return vector
        vector = self.batcher.encode(query) if self.batcher else encode([query], self.encoder)[0]
        return self.keep_embedding(query, vector)

    async def embed_async(self, query: str) -> np.ndarray:
        """:meth:`embed` for an event loop: the encoding runs on another thread, never the loop's.

        With batching on, the query waits for the batching thread; with it off, it is encoded on
        a worker thread.
        """
        vector = self.cached_embedding(query)
        if vector is not None:
            return vector
        if self.batcher is None:
            return await asyncio.to_thread(self.embed, query)
        return self.keep_embedding(query, await asyncio.wrap_future(self.batcher.submit(query)))

    async def search_async(self, query: str, k: int = 10, filters: Filters | None = None,
                           one_per: str | None = None) -> list[Hit]:
        """:meth:`search` for an event loop (the API's ``/search``).

        The slow, blocking parts run off the loop: encoding (:meth:`embed_async`) and, the first
        time a filter is seen, the SQL query for its rowids. The rest (a few ms of CPU) runs on
        the loop, so a worker process runs one search at a time without threads contending for
        the GIL.
        """
        filters = filters or Filters()
        vector = await self.embed_async(query)
        if filters.active() and self.cached_allowed(filters) is None:
            await asyncio.to_thread(self.allowed_ids, filters)
        return self.search(query, k=k, filters=filters, one_per=one_per, vector=vector)

    def keep_embedding(self, query: str, vector: np.ndarray) -> np.ndarray:
        """Put a query's embedding in the bounded cache; return it (read-only)."""
        vector.flags.writeable = False
        if self.query_cache_size > 0:
            with self._lock:
                self._embeddings[query] = vector
                while len(self._embeddings) > self.query_cache_size:
                    self._embeddings.popitem(last=False)
        return vector

    def allowed_ids(self, filters: Filters) -> np.ndarray | None:
        """Sorted rowids passing the filters (None when nothing is filtered); kept per filter."""
        if not filters.active():
            return None
        allowed = self.cached_allowed(filters)
        if allowed is not None:
            return allowed
        where, params = filters.sql()
        rows = self.conn.execute(f"SELECT f.rowid FROM findings f JOIN documents d USING (doc_id) "
                                 f"WHERE {where} ORDER BY f.rowid", params).fetchall()
        allowed = np.array([r[0] for r in rows], dtype=np.int64)
        allowed.flags.writeable = False
        with self._lock:
            if len(self._allowed) >= ALLOWED_CACHE_SIZE:
                self._allowed.pop(next(iter(self._allowed)))
            return self._allowed.setdefault(filters.key(), allowed)

    def cached_allowed(self, filters: Filters) -> np.ndarray | None:
        """A filter's rowids if they are kept already (None otherwise)."""
        with self._lock:
            return self._allowed.get(filters.key())

    def dense(self, vector: np.ndarray, depth: int, allowed: np.ndarray | None) -> list[int]:
        """Nearest rowids by inner product."""
        return self.index.search(vector, depth, allowed)

    def document_frequency(self, term: str) -> int:
        """How many findings contain a term (stemmed as the FTS index stems it)."""
        return self.lexical_index.document_frequency(term)

    def selective_terms(self, terms: list[str]) -> list[str]:
        """Drop terms so common that they barely move BM25 but cost a long posting list.

        Terms in more than ``COMMON_TERM_SHARE`` of findings go, unless nothing would be left,
        in which case the two rarest stay.
        """
        total = max(1, self.index.ntotal)
        ranked = sorted(terms, key=self.document_frequency)
        kept = [t for t in ranked if self.document_frequency(t) <= COMMON_TERM_SHARE * total]
        return [t for t in terms if t in (kept or ranked[:2])]

    def lexical(self, terms: list[str], depth: int, filters: Filters) -> list[int]:
        """Best rowids by BM25 over the findings' text (FTS5's ``bm25()`` ranking)."""
        terms = self.selective_terms(terms) if terms else []
        if not terms:
            return []
        return self.lexical_index.search(terms, depth, self.allowed_ids(filters))

    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               one_per: str | None = None, depth: int = 200,
               vector: np.ndarray | None = None) -> list[Hit]:
        """Hybrid search.

        Args:
            query: free text.
            k: number of hits.
            filters: restrictions on the findings returned.
            one_per: ``"report"`` or ``"council"`` to return at most one hit for each.
            depth: how many candidates each retriever contributes before fusion.
            vector: the query's embedding, when the caller has it (see :meth:`embed_async`).

        """
        filters = filters or Filters()
        terms = query_terms(query)
        vector = self.embed(query) if vector is None else vector
        dense = self.dense(vector, depth, self.allowed_ids(filters))
        fused = fuse([dense, self.lexical(terms, depth, filters)], [1.0, self.lexical_weight])
        if filters.label:
            fused = weigh_by_confidence(fused, self.label_confidence)
        return self.collect(fused, k, terms, one_per)

    def similar(self, finding_id: str | None = None, text: str | None = None, k: int = 10,
                filters: Filters | None = None, exclude_same_council: bool = False,
                one_per: str | None = None) -> list[Hit]:
        """Nearest findings to a stored finding or a free text (dense similarity)."""
        filters = filters or Filters()
        own_rowid, vector = None, None
        if finding_id:
            source = self.conn.execute(f"{ROW_QUERY} f.id = ?", (finding_id,)).fetchone()
            if source is None:
                raise KeyError(f"no finding with id {finding_id!r}")
            text, own_rowid = source["text"], source["rowid"]
            if exclude_same_council and source["council"]:
                filters.exclude_council = source["council"]
            vector = self.stored_vector(own_rowid)
        if not text or not text.strip():
            raise ValueError("give a finding id or some text")
        query = vector if vector is not None else self.embed(text)
        ranked = [r for r in self.dense(query, max(200, 5 * k), self.allowed_ids(filters)) if r != own_rowid]
        scored = [(r, 1.0 / (RRF_K + i + 1)) for i, r in enumerate(ranked)]
        return self.collect(scored, k, query_terms(text), one_per)

    def stored_vector(self, rowid: int) -> np.ndarray | None:
        """A stored finding's indexed vector (None if it is not indexed).

        A lookup by id reuses the indexed vector instead of encoding the finding's text again.
        """
        try:
            return self.index.vector_of(rowid)
        except KeyError:
            return None

    def collect(self, scored: list[tuple[int, float]], k: int, terms: list[str],
                one_per: str | None) -> list[Hit]:
        """Turn scored rowids into hits: collapse duplicates, apply one-per, highlight.

        Only the first ``max(20 k, 200)`` scored rowids are candidates.
        """
        hits, kept, seen_group = [], [], set()
        for rowid, score, row in self.candidates(scored[: max(k * 20, 200)], k + ROW_MARGIN):
            group = {"report": row["doc_id"], "council": row["council"]}.get(one_per or "")
            if group is not None and group in seen_group:
                continue
            vector = self.index.vector_of(rowid)
            if any(float(vector @ other) >= DUPLICATE_COSINE for other in kept):
                continue
            kept.append(vector)
            seen_group.add(group)
            hits.append(self.hit(row, score, terms))
            if len(hits) == k:
                break
        return hits

    def candidates(self, scored: list[tuple[int, float]], chunk: int):
        """``(rowid, score, row)`` of scored rowids found in the store, rows read a chunk at a time."""
        for start in range(0, len(scored), chunk):
            part = scored[start : start + chunk]
            rows = self.rows([rowid for rowid, _ in part])
            yield from ((rowid, score, rows[rowid]) for rowid, score in part if rowid in rows)

    def rows(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        """Finding rows joined with their documents, by rowid."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.conn.execute(f"{ROW_QUERY} f.rowid IN ({marks})", rowids)
        return {r["rowid"]: r for r in rows}

    def finding(self, finding_id: str) -> Hit | None:
        """One finding by its stable id."""
        row = self.conn.execute(f"{ROW_QUERY} f.id = ?", (finding_id,)).fetchone()
        return self.hit(row, 1.0, []) if row else None

    @staticmethod
    def hit(row: sqlite3.Row, score: float, terms: list[str]) -> Hit:
        """A :class:`Hit` from a joined row."""
        matched, spans = highlight(row["text"], terms)
        return Hit(id=row["id"], doc_id=row["doc_id"], text=row["text"], label=row["label"],
                   score=round(float(score), 6), confidence=row["confidence"],
                   council=row["council"], collection=row["collection"],
                   published=row["published"], page=row["page"], section=row["section"],
                   source_url=row["source_url"], themes=json.loads(row["themes"] or "[]"),
                   span=None if row["start_char"] is None else [row["start_char"], row["end_char"]],
                   matched_terms=matched, highlights=spans,
                   flags=quality_flags(row["text"], row["confidence"]))
