"""The dense retriever: FAISS over normalised finding embeddings, with its vectors in memory.

The index file is built and written by :mod:`findings.retrieval.vector_file`. A filtered search
over a subset of at most ``exact_filter_limit`` findings is exact (an in-memory matrix product);
a larger subset is searched in the HNSW graph with a FAISS selector. What a filter's subset costs
to prepare (its selector, or its rows of the vector matrix) is kept for the subset arrays a
caller passes again, within a memory budget. With an :class:`~findings.retrieval.cache.ArrayCache`
the vectors are mapped from kept arrays and the file is read at the first search that needs the
graph. Why these choices, with their measurements: ``docs/retrieval.md``.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

import numpy as np

from findings.retrieval.base import Query, Retriever
from findings.retrieval.cache import ArrayCache, Arrays
from findings.retrieval.lazy import lazy_import
from findings.retrieval.vector_file import INDEX_FILE, write_atomically

faiss = lazy_import("faiss")  # imported at first use: a count over kept vectors never needs it
SUBSET_CACHE_BYTES = 512 * 2**20
SUBSET_CACHE_SIZE = 64


def limit_threads(threads: int) -> None:
    """Cap the threads of the BLAS and OpenMP libraries this process has loaded.

    A single query gains nothing from more threads, and concurrent requests' threads contend
    (``docs/retrieval.md``). FAISS is imported at its first use, and OpenMP's setting holds per
    thread, so :class:`VectorIndex` applies its ``threads`` to FAISS in each searching thread.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def id_maps(index: faiss.Index) -> list[faiss.Index]:
    """The ``IndexIDMap2`` of a one-file index, or of each shard of an ``IndexShards``."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexShards):
        return [faiss.downcast_index(index.at(i)) for i in range(index.count())]
    return [index]


def stored_vectors(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """The ids (ascending) and vectors held by an ``IndexIDMap2`` (or shards of them) over flat or HNSW."""
    all_ids, all_vectors = [np.zeros(0, dtype=np.int64)], [np.zeros((0, index.d), dtype=np.float32)]
    for part in id_maps(index):
        inner = faiss.downcast_index(part.index)
        flat = faiss.downcast_index(inner.storage) if hasattr(inner, "storage") else inner
        all_vectors.append(faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, index.d))
        all_ids.append(faiss.vector_to_array(part.id_map).astype(np.int64))
    ids, vectors = np.concatenate(all_ids), np.concatenate(all_vectors)
    order = np.argsort(ids, kind="stable")
    return ids[order], vectors[order]


def vector_arrays(index: faiss.Index) -> Arrays:
    """:func:`stored_vectors` of an index and whether it is HNSW, as arrays."""
    ids, vectors = stored_vectors(index)
    hnsw = isinstance(faiss.downcast_index(id_maps(index)[0].index), faiss.IndexHNSW)
    return {"ids": ids, "vectors": vectors, "hnsw": np.array(hnsw)}


class IndexFile:
    """A FAISS index file opened but not read yet: it is read from the file as it was when opened.

    A build replaces the file by renaming a new one into place, so the handle keeps the version
    whose vectors the engine mapped, however late the graph is read.
    """

    def __init__(self, path: Path) -> None:
        """Open the file (it is closed once read)."""
        self.path = path
        self.handle = path.open("rb")
        self.index: faiss.Index | None = None

    def read(self) -> faiss.Index:
        """The index the file held when it was opened (read once)."""
        if self.index is None:
            try:
                self.index = faiss.read_index(faiss.PyCallbackIOReader(self.handle.read))
            finally:
                self.handle.close()
        return self.index


class VectorIndex(Retriever):
    """A loaded FAISS index with its vectors in memory, for fast filtered and exact search."""

    def __init__(self, index: faiss.Index | IndexFile, *, ef_search: int,
                 exact_filter_limit: int, cache_bytes: int = SUBSET_CACHE_BYTES, threads: int | None = None,
                 parts: list[faiss.Index] | None = None, stored: Arrays | None = None):
        """Wrap a loaded ``IndexIDMap2`` (or an ``IndexShards`` of them), or the file of one.

        Args:
            index: the FAISS index, ids being finding rowids; or its file, read at the first
                search that needs the graph (give ``stored`` with it).
            parts: the shards of an ``IndexShards`` (kept alive with it).
            ef_search: the HNSW search breadth (at least the depth asked for).
            exact_filter_limit: subsets up to this size are searched exactly.
            cache_bytes: the memory kept for prepared subsets.
            threads: caps FAISS's threads in every searching thread.
            stored: the index's :func:`vector_arrays` (default: read out of the index).

        """
        self._lock = threading.RLock()
        self._index = index
        self.parts = parts or []
        stored = stored if stored is not None else vector_arrays(self.index)
        self.ids, self.vectors, self.hnsw = stored["ids"], stored["vectors"], bool(stored["hnsw"])
        self.threads = threads
        self.ef_search = ef_search
        self.exact_filter_limit = exact_filter_limit
        self.cache_bytes = cache_bytes
        self._subsets: OrderedDict[int, tuple] = OrderedDict()

    @property
    def index(self) -> faiss.Index:
        """The FAISS index (read at first use when its file was given)."""
        if isinstance(self._index, IndexFile):
            with self._lock:
                if isinstance(self._index, IndexFile):
                    self._index = self._index.read()
        return self._index

    @classmethod
    def load(cls, conn: sqlite3.Connection | None, folder: Path, *, ef_search: int, exact_filter_limit: int,
             threads: int | None = None, cache: ArrayCache | None = None) -> VectorIndex:
        """Read the FAISS index from an index folder (the store is not needed).

        With a ``cache`` holding the index's vectors, the file is opened now and read only when a
        search first needs the graph (a count never does; a server reads it at start, see
        :meth:`read_graph`).

        Raises:
            FileNotFoundError: the index has not been built.

        """
        path = Path(folder) / INDEX_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no vector index at {path}: run `findings build`")
        file = IndexFile(path)
        stored = (cache or ArrayCache(None)).arrays("vectors", lambda: vector_arrays(file.read()))
        return cls(file, ef_search=ef_search, exact_filter_limit=exact_filter_limit, threads=threads,
                   stored=stored)

    def read_graph(self) -> None:
        """Read the index file now if it was left for the first search that needs it."""
        _ = self.index

    def close(self) -> None:
        """Close the index file if it was opened and never read."""
        if isinstance(self._index, IndexFile):
            self._index.handle.close()

    def save(self, folder: Path) -> None:
        """Write the FAISS index into a folder, renamed into place when complete.

        Raises:
            ValueError: the index is in shards (the build writes those, one file each).

        """
        if self.parts:
            raise ValueError("a sharded index is written shard by shard by the build")
        write_atomically(self.index, Path(folder) / INDEX_FILE)

    @property
    def ntotal(self) -> int:
        """Number of vectors."""
        return len(self.ids)

    def count(self) -> int:
        """Number of vectors."""
        return self.ntotal

    def vector_of(self, rowid: int) -> np.ndarray:
        """The stored vector of a finding.

        Raises:
            KeyError: the finding is not in the index.
        """
        position = int(np.searchsorted(self.ids, rowid))
        if position >= len(self.ids) or self.ids[position] != rowid:
            raise KeyError(rowid)
        return self.vectors[position]

    def subset_rows(self, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the sorted ``allowed`` ids that are indexed, and their vectors."""
        positions = np.minimum(np.searchsorted(self.ids, allowed), len(self.ids) - 1)
        positions = positions[self.ids[positions] == allowed]
        return positions, self.vectors[positions]

    def prepared(self, allowed: np.ndarray, exact: bool):
        """What searching a subset needs, kept while the caller keeps the same ``allowed`` array."""
        with self._lock:
            entry = self._subsets.get(id(allowed))
            if entry is not None and entry[0]() is allowed:
                self._subsets.move_to_end(id(allowed))
                return entry[1]
        value = self.subset_rows(allowed) if exact else faiss.IDSelectorBatch(allowed)
        size = value[1].nbytes if exact else 16 * len(allowed)
        if size <= self.cache_bytes:
            with self._lock:
                self._subsets[id(allowed)] = (weakref.ref(allowed, self._forget(id(allowed))), value, size)
                while (len(self._subsets) > SUBSET_CACHE_SIZE
                       or sum(e[2] for e in self._subsets.values()) > self.cache_bytes):
                    self._subsets.popitem(last=False)
        return value

    def _forget(self, key: int):
        """A callback dropping a cached subset once its ``allowed`` array is gone."""

        def forget(ref: weakref.ref) -> None:
            with self._lock:
                if key in self._subsets and self._subsets[key][0] is ref:
                    del self._subsets[key]

        return forget

    def exact(self, query: np.ndarray, depth: int, allowed: np.ndarray) -> list[int]:
        """Exact top ids among sorted ``allowed`` (in-memory matrix product)."""
        positions, matrix = self.prepared(allowed, exact=True)
        scores = matrix @ query
        # best first, equal scores (repeated sentences) in id order, also across the depth cut-off:
        # every row reaching the depth-th score is kept before the stable sort
        best = np.arange(len(scores))
        if len(scores) > depth:
            best = np.flatnonzero(scores >= np.partition(scores, len(scores) - depth)[len(scores) - depth])
        top = best[np.argsort(-scores[best], kind="stable")][:depth]
        return [int(self.ids[positions[i]]) for i in top]

    def search(self, query: Query, depth: int, allowed: np.ndarray | None = None) -> list[int]:
        """Nearest rowids to the query's embedding (see :meth:`nearest`)."""
        if query.vector is None:
            raise ValueError("the dense retriever needs the query's embedding")
        return self.nearest(query.vector, depth, allowed)

    def nearest(self, query: np.ndarray, depth: int, allowed: np.ndarray | None = None) -> list[int]:
        """Nearest ids by inner product, optionally restricted to ``allowed`` ids.

        Pass the same (sorted, unchanged) ``allowed`` array again to reuse its preparation.
        """
        if self.ntotal == 0 or (allowed is not None and len(allowed) == 0):
            return []
        if self.threads:
            faiss.omp_set_num_threads(self.threads)  # OpenMP's setting is per calling thread
        if allowed is not None and np.any(allowed[1:] < allowed[:-1]):
            allowed = np.sort(allowed)
        if allowed is not None and len(allowed) <= self.exact_filter_limit:
            return self.exact(query, depth, allowed)
        selector = self.prepared(allowed, exact=False) if allowed is not None else None
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, depth))
        if not self.hnsw:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        _, ids = self.index.search(query.reshape(1, -1), min(depth, self.ntotal), params=params)
        return [int(i) for i in ids[0] if i >= 0]
