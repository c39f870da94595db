"""Hybrid search over findings: a weighted reciprocal-rank fusion of several retrievers.

The engine holds ``(retriever, weight)`` pairs (by default the dense FAISS index, then BM25 at
``lexical_weight``; :mod:`findings.retrieval.factory`), resolves filters to allowed rowids in
memory (:mod:`findings.retrieval.columns`; kept per filter, bounded), keeps query embeddings in
a bounded LRU cache, and turns fused rowids into hits: near-duplicates (the same sentence in
summary and body) collapsed, at most one per report or council on request, with provenance and
the query terms that matched. Under a label filter each fused score is multiplied by the
classifier's confidence in that finding's label. :meth:`SearchEngine.similar` ranks by dense
similarity alone. Why: see ``docs/retrieval.md``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from findings.encoding.batching import BatchingEncoder
from findings.encoding.encoder import encode
from findings.retrieval.base import Query, Retriever
from findings.retrieval.cache import ArrayCache
from findings.retrieval.columns import FilterColumns
from findings.retrieval.dense import VectorIndex
from findings.retrieval.filters import Filters
from findings.retrieval.fusion import fuse, reciprocal_ranks, weigh_by_confidence
from findings.retrieval.highlight import query_terms
from findings.retrieval.hits import Hit, hit_from_row
from findings.retrieval.lexical import LexicalIndex
from findings.store import reads

ROW_MARGIN = 6  # rows read beyond k at a time (for collapsed duplicates and one-per)
DUPLICATE_COSINE = 0.97
ALLOWED_CACHE_SIZE = 64


class SearchEngine:
    """Hybrid retrieval over a built store and its retrievers."""

    def __init__(self, conn: sqlite3.Connection, retrievers: list[tuple[Retriever, float]], encoder, *,
                 query_cache_size: int, query_batch: int = 1, cache: ArrayCache | None = None) -> None:
        """Wrap an open store, its loaded retrievers and a loaded query encoder.

        Args:
            conn: the store.
            retrievers: ``(retriever, weight)`` pairs, fused in this order; one of them must be
                a :class:`~findings.retrieval.dense.VectorIndex` (similarity and duplicates).
            encoder: the query encoder.
            query_cache_size: how many query embeddings to keep (0: none).
            query_batch: above 1, concurrent queries are encoded together, up to this many
                (see :mod:`findings.encoding.batching`).
            cache: where arrays derived from the store are kept for the next process (default:
                nowhere); counts keep theirs there too.

        Raises:
            ValueError: no dense retriever among ``retrievers``.

        """
        self.conn = conn
        self.state = reads.index_state(conn)  # the store's generation these retrievers were read at
        self.retrievers = retrievers
        dense = [r for r, _ in retrievers if isinstance(r, VectorIndex)]
        if not dense:
            raise ValueError("the search engine needs a dense retriever")
        self.index: VectorIndex = dense[0]
        lexical = [r for r, _ in retrievers if isinstance(r, LexicalIndex)]
        self.lexical: LexicalIndex | None = lexical[0] if lexical else None  # BM25, if among the retrievers
        self.encoder = encoder
        self.cache = cache or ArrayCache(None)
        self.label_confidence = self.cache.arrays(
            "confidences", lambda: {"confidence": reads.label_confidences(conn)})["confidence"]
        self.label_confidence.flags.writeable = False
        self.columns = FilterColumns.from_store(conn, self.cache)
        self.query_cache_size = query_cache_size
        self.batcher = BatchingEncoder(encoder, query_batch) if query_batch > 1 else None
        self._embeddings: OrderedDict[str, np.ndarray] = OrderedDict()
        self._allowed: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings, attempts: int = 3) -> SearchEngine:
        """Open the built store, the retrievers and the query encoder named by settings.

        The retrievers are read again if a build changed the store while they were read, so
        that the engine's :attr:`state` is the state its index files hold.
        """
        from findings.encoding.encoder import load_encoder
        from findings.retrieval.dense import limit_threads
        from findings.retrieval.factory import open_retrievers
        from findings.store import connect

        if settings.search_threads:
            limit_threads(settings.search_threads)
        conn = connect(settings.db_path, read_only=True)
        for _ in range(attempts):
            before = reads.index_state(conn)
            cache = ArrayCache.of_store(conn, settings.array_cache_dir)
            retrievers = open_retrievers(conn, settings, cache)
            if reads.index_state(conn) == before:
                break
        encoder = load_encoder(settings.query_backend, settings.encoder, str(settings.encoder_cache))
        engine = cls(conn, retrievers, encoder, query_cache_size=settings.query_cache_size,
                     query_batch=settings.query_batch, cache=cache)
        engine.state = before
        return engine

    def store_changed(self) -> bool:
        """Whether the store or its index moved on since this engine was opened."""
        return reads.index_state(self.conn) != self.state

    def close(self) -> None:
        """Stop the query-encoding thread, close the store and any index file left unread."""
        if self.batcher is not None:
            self.batcher.close()
        self.index.close()
        self.conn.close()

    def cached_embedding(self, query: str) -> np.ndarray | None:
        """A query's embedding if it was asked recently (None otherwise)."""
        with self._lock:
            if query in self._embeddings:
                self._embeddings.move_to_end(query)
                return self._embeddings[query]
        return None

    def absent_terms(self, query: str) -> list[str]:
        """The query's words (as BM25 reads them) that no finding holds (none without a BM25 index)."""
        if self.lexical is None:
            return []
        return [t for t in query_terms(query) if not self.lexical.document_frequency(t)]

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

        The slow, blocking part, encoding, runs off the loop (:meth:`embed_async`). The rest (a few
        ms of CPU; filters resolve in memory) runs on the loop, so a worker process runs one search
        at a time without threads contending for the GIL.
        """
        vector = await self.embed_async(query)
        return self.search(query, k=k, filters=filters or Filters(), one_per=one_per, vector=vector)

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
        with self._lock:
            allowed = self._allowed.get(filters.key())
        if allowed is not None:
            return allowed
        allowed = self.columns.allowed(filters)
        allowed.flags.writeable = False
        with self._lock:
            if len(self._allowed) >= ALLOWED_CACHE_SIZE:
                self._allowed.pop(next(iter(self._allowed)))
            return self._allowed.setdefault(filters.key(), allowed)

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
        asked = Query(query, tuple(query_terms(query)), self.embed(query) if vector is None else vector)
        allowed = self.allowed_ids(filters)
        rankings = [retriever.search(asked, depth, allowed) for retriever, _ in self.retrievers]
        fused = fuse(rankings, [weight for _, weight in self.retrievers])
        if filters.label:
            fused = weigh_by_confidence(fused, self.label_confidence)
        return self.collect(fused, k, list(asked.terms), one_per)

    def similar(self, finding_id: str | None = None, text: str | None = None, k: int = 10,
                filters: Filters | None = None, exclude_same_council: bool = False,
                one_per: str | None = None) -> list[Hit]:
        """Nearest findings to a stored finding or a free text (dense similarity)."""
        filters = filters or Filters()
        own_rowid, vector = None, None
        if finding_id:
            source = reads.finding_row(self.conn, finding_id=finding_id)
            if source is None:
                raise KeyError(f"no finding with id {finding_id!r}")
            text, own_rowid = source["text"], source["rowid"]
            if exclude_same_council and source["council"]:
                filters.exclude_council = source["council"]
            vector = self.stored_vector(own_rowid)
        if not text or not text.strip():
            raise ValueError("give a finding id or some text")
        query = vector if vector is not None else self.embed(text)
        ranked = self.nearest_excluding(query, max(200, 5 * k), filters, own_rowid)
        return self.collect(reciprocal_ranks(ranked), k, query_terms(text), one_per)

    def nearest_excluding(self, vector: np.ndarray, depth: int, filters: Filters,
                          own_rowid: int | None) -> list[int]:
        """Nearest rowids under the filters, a council exclusion applied to the ranking.

        A council's findings are a small part of the store, so they are dropped from a
        ranking under the other filters (fetched deeper until ``depth`` remain) rather than
        turned into an allowed set of nearly every finding, which costs far more to search.
        """
        excluded = filters.exclude_council
        allowed = self.allowed_ids(replace(filters, exclude_council=None))
        fetch = depth
        while True:
            nearest = self.index.nearest(vector, fetch, allowed)
            kept = np.array([r for r in nearest if r != own_rowid], dtype=np.int64)
            if excluded:
                councils = self.columns.council_of(kept)
                kept = kept[(councils >= 0) & (councils != self.columns.code("council", excluded))]
            if len(kept) >= depth or len(nearest) < fetch:
                return [int(r) for r in kept[:depth]]
            fetch *= 4

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
            hits.append(hit_from_row(row, score, terms))
            if len(hits) == k:
                break
        return hits

    def candidates(self, scored: list[tuple[int, float]],
                   chunk: int) -> Iterator[tuple[int, float, sqlite3.Row]]:
        """``(rowid, score, row)`` of scored rowids found in the store, rows read a chunk at a time."""
        for start in range(0, len(scored), chunk):
            part = scored[start : start + chunk]
            rows = reads.finding_rows(self.conn, rowids=[rowid for rowid, _ in part])
            yield from ((rowid, score, rows[rowid]) for rowid, score in part if rowid in rows)

    def finding(self, finding_id: str) -> Hit | None:
        """One finding by its stable id."""
        row = reads.finding_row(self.conn, finding_id=finding_id)
        return hit_from_row(row, 1.0, []) if row else None
