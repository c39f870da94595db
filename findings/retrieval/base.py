"""What every retriever does: rank finding rowids for a query, under an optional allowed set.

A retriever is one way of ranking (dense vectors, BM25 over words...). The engine
(:class:`findings.retrieval.engine.SearchEngine`) fuses a list of ``(retriever, weight)`` pairs;
:mod:`findings.retrieval.factory` makes them from the settings by name.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Query:
    """A query as the retrievers see it: its text, its content words and its embedding."""

    text: str
    terms: tuple[str, ...] = ()
    vector: np.ndarray | None = None


class Retriever(ABC):
    """Ranks finding rowids for a query."""

    @classmethod
    @abstractmethod
    def load(cls, conn: sqlite3.Connection, folder: Path, **options: Any) -> Retriever:
        """Open the retriever over a built store (``conn``) and its index folder.

        Raises:
            FileNotFoundError: its index has not been built.

        """

    def save(self, folder: Path) -> None:  # noqa: B027  (a default, not a stub: see below)
        """Write what :meth:`load` reads back from ``folder``, atomically.

        A retriever whose index lives in the store itself (the lexical one: SQLite FTS5, kept
        by :func:`findings.store.writes.rebuild_fts`) has nothing to write.
        """

    @abstractmethod
    def search(self, query: Query, depth: int, allowed: np.ndarray | None = None) -> list[int]:
        """The best ``depth`` rowids for a query, best first, only among sorted ``allowed`` if given."""

    @abstractmethod
    def count(self) -> int:
        """How many findings the retriever ranks."""
