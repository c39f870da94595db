"""The embedded SQLite store: documents, refused files, findings, embeddings (schema here)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

FTS_TOKENIZE = "porter unicode61"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    collection TEXT, doc_type TEXT, publisher TEXT,
    council TEXT, council_code TEXT, published TEXT,
    source_url TEXT, licence TEXT, grades TEXT,
    text TEXT NOT NULL, page_starts TEXT NOT NULL,
    segmented_with TEXT
);
CREATE TABLE IF NOT EXISTS refused (
    path TEXT PRIMARY KEY, doc_id TEXT, content_hash TEXT, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    unit INTEGER NOT NULL, text TEXT NOT NULL, label TEXT NOT NULL, confidence REAL,
    section TEXT, block_kind TEXT, page INTEGER, start_char INTEGER, end_char INTEGER,
    themes TEXT, text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_doc ON findings(doc_id);
CREATE INDEX IF NOT EXISTS findings_label ON findings(label);
CREATE VIRTUAL TABLE IF NOT EXISTS findings_fts USING fts5(
    text, content='findings', content_rowid='rowid', tokenize='{FTS_TOKENIZE}'
);
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, model)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

DOCUMENT_COLUMNS = ("doc_id", "path", "content_hash", "collection", "doc_type", "publisher",
                    "council", "council_code", "published", "source_url", "licence", "grades",
                    "text", "page_starts")
FINDING_COLUMNS = ("id", "doc_id", "unit", "text", "label", "confidence", "section", "block_kind",
                   "page", "start_char", "end_char", "themes", "text_hash")


def connect(db_path: str | Path, read_only: bool = False) -> sqlite3.Connection:
    """Open (and create) the store; rows come back as ``sqlite3.Row``."""
    db_path = Path(db_path)
    if read_only:
        if not db_path.is_file():
            raise FileNotFoundError(f"no findings database at {db_path}: run `findings build`")
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(db_path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Commit on success, roll back on error."""
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def upsert_document(conn: sqlite3.Connection, row: dict) -> None:
    """Insert or replace a document (its findings are dropped with it)."""
    conn.execute("DELETE FROM findings WHERE doc_id = ?", (row["doc_id"],))
    values = [row.get(c) for c in DOCUMENT_COLUMNS]
    conn.execute(
        f"INSERT OR REPLACE INTO documents ({', '.join(DOCUMENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})", values)
    conn.execute("DELETE FROM refused WHERE doc_id = ?", (row["doc_id"],))


def record_refusal(conn: sqlite3.Connection, path: str, doc_id: str, content_hash: str,
                   reason: str) -> None:
    """Remember a refused file and why."""
    conn.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?)",
                 (path, doc_id, content_hash, reason))


def known_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    """Content hash by path, for documents and refused files already seen."""
    rows = conn.execute("SELECT path, content_hash FROM documents UNION ALL "
                        "SELECT path, content_hash FROM refused").fetchall()
    return {r["path"]: r["content_hash"] for r in rows}


def replace_findings(conn: sqlite3.Connection, doc_id: str, rows: Iterable[dict],
                     segmented_with: str) -> None:
    """Swap in a document's new findings and mark which pipeline produced them."""
    conn.execute("DELETE FROM findings WHERE doc_id = ?", (doc_id,))
    conn.executemany(
        f"INSERT INTO findings ({', '.join(FINDING_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(FINDING_COLUMNS))})",
        [[json.dumps(r[c]) if c == "themes" else r.get(c) for c in FINDING_COLUMNS] for r in rows])
    conn.execute("UPDATE documents SET segmented_with = ? WHERE doc_id = ?", (segmented_with, doc_id))


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from the findings table."""
    conn.execute("INSERT INTO findings_fts(findings_fts) VALUES ('rebuild')")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """Read a metadata value."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Write a metadata value."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
