"""The store's FTS5 index seen from outside: its token instances, and its tokenizer for queries.

:mod:`findings.retrieval.lexical` scores BM25 in memory over what :func:`posting_keys` reads, and
tokenises query terms with :class:`QueryTokenizer`, so stems and phrases match the FTS5 table's
token for token.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

import numpy as np

from findings.store.schema import FTS_TOKENIZE

OFFSET_BITS = 24
TOKEN_CACHE_SIZE = 4096


def indexed_rows(conn: sqlite3.Connection, table: str = "findings_fts") -> int:
    """How many rows an FTS5 table indexes, empty ones included."""
    return conn.execute(f"SELECT count(*) FROM {table}_docsize").fetchone()[0]


def posting_keys(conn: sqlite3.Connection, table: str = "findings_fts") -> tuple[list[str], np.ndarray,
                                                                                  np.ndarray]:
    """Every token instance of an FTS5 table as ``rowid << OFFSET_BITS | offset`` keys.

    Returns:
        The terms, the start of each term's keys (plus a final end) and the keys, sorted by
        term, then rowid, then offset.

    """
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances "
                 f"USING fts5vocab(main, {table}, instance)")
    rows = conn.execute(f"SELECT term, count(*), group_concat(doc * {1 << OFFSET_BITS} + offset) "
                        f"FROM temp.{table}_instances GROUP BY term ORDER BY term").fetchall()
    counts = np.array([r[1] for r in rows], dtype=np.int64)
    keys = np.fromstring(",".join(r[2] for r in rows), dtype=np.int64, sep=",") if rows else (
        np.zeros(0, dtype=np.int64))
    if len(keys) != counts.sum():
        raise ValueError(f"could not read the token instances of {table}")
    starts = np.concatenate([[0], np.cumsum(counts)])
    for start, end in zip(starts[:-1], starts[1:], strict=True):
        keys[start:end].sort()  # already in order from fts5vocab; sorting makes sure
    return [r[0] for r in rows], starts, keys


class QueryTokenizer:
    """Tokenise text exactly as the store's FTS5 table does, by asking SQLite (thread-safe)."""

    def __init__(self, tokenize: str = FTS_TOKENIZE, cache_size: int = TOKEN_CACHE_SIZE) -> None:
        """Open an in-memory FTS5 table with the given tokenizer."""
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute(f"CREATE VIRTUAL TABLE scratch USING fts5(x, tokenize='{tokenize}')")
        self.conn.execute("CREATE VIRTUAL TABLE scratch_tokens USING fts5vocab(scratch, instance)")
        self.lock = threading.Lock()
        self.cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self.cache_size = cache_size

    def tokens(self, text: str) -> tuple[str, ...]:
        """The tokens of a text, in order (stemmed, lower-cased, diacritics removed)."""
        with self.lock:
            if text in self.cache:
                self.cache.move_to_end(text)
                return self.cache[text]
            self.conn.execute("INSERT INTO scratch(rowid, x) VALUES (1, ?)", (text,))
            rows = self.conn.execute("SELECT term FROM scratch_tokens ORDER BY offset").fetchall()
            self.conn.execute("DELETE FROM scratch")
            self.cache[text] = tuple(r[0] for r in rows)
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
            return self.cache[text]
