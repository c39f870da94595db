"""Retrievers by name, chosen by settings (``FINDINGS_DENSE_BACKEND``, ``FINDINGS_LEXICAL_BACKEND``).

A new index backend is a :class:`~findings.retrieval.base.Retriever` subclass and one entry in
``BACKENDS``, with a function reading its options from the settings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from findings.retrieval.base import Retriever
from findings.retrieval.cache import ArrayCache
from findings.retrieval.dense import VectorIndex
from findings.retrieval.lexical import LexicalIndex
from findings.retrieval.shards import load_sharded


def vector_index(conn: sqlite3.Connection, settings, cache: ArrayCache | None = None) -> VectorIndex:
    """The FAISS index of the store: one file (its vectors kept in ``cache``), or ``index_shards`` shards."""
    options = {"ef_search": settings.hnsw_ef_search, "exact_filter_limit": settings.exact_filter_limit,
               "threads": settings.search_threads or None}
    if settings.index_shards > 1:
        return load_sharded(settings.index_dir, **options)
    return VectorIndex.load(conn, settings.index_dir, cache=cache, **options)


BACKENDS: dict[str, Callable[[sqlite3.Connection, object, ArrayCache | None], Retriever]] = {
    "faiss": vector_index,
    "bm25": lambda conn, settings, cache: LexicalIndex.load(conn, settings.index_dir, cache=cache),
}


def create(backend: str, conn: sqlite3.Connection, settings, cache: ArrayCache | None = None) -> Retriever:
    """Open the retriever of a backend over a built store (what it derives from the store kept in ``cache``).

    Raises:
        ValueError: an unknown backend name.

    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown retrieval backend {backend!r} (choose from {', '.join(BACKENDS)})")
    return BACKENDS[backend](conn, settings, cache)


def open_retrievers(conn: sqlite3.Connection, settings,
                    cache: ArrayCache | None = None) -> list[tuple[Retriever, float]]:
    """The dense retriever at weight 1, then the lexical one at ``lexical_weight`` (unless off)."""
    retrievers = [(create(settings.dense_backend, conn, settings, cache), 1.0)]
    if settings.lexical_backend:
        retrievers.append((create(settings.lexical_backend, conn, settings, cache), settings.lexical_weight))
    return retrievers
