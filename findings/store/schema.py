"""The store's schema and connections: documents, refused files, findings, embeddings, metadata."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
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
    segmented_with TEXT, inspected TEXT, outcome TEXT, area_of_practice TEXT
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
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
CREATE TABLE IF NOT EXISTS saved_searches (
    name TEXT PRIMARY KEY, params TEXT NOT NULL, saved TEXT NOT NULL, known_reports TEXT NOT NULL
);
"""

DOCUMENT_COLUMNS = ("doc_id", "path", "content_hash", "collection", "doc_type", "publisher",
                    "council", "council_code", "published", "source_url", "licence", "grades",
                    "text", "page_starts", "inspected", "outcome", "area_of_practice")
ADDED_COLUMNS = {"documents": ("inspected", "outcome", "area_of_practice")}  # after the first schema
FINDING_COLUMNS = ("id", "doc_id", "unit", "text", "label", "confidence", "section", "block_kind",
                   "page", "start_char", "end_char", "themes", "text_hash")


def connect(db_path: str | Path, read_only: bool = False) -> sqlite3.Connection:
    """Open (and create) the store; rows come back as ``sqlite3.Row``."""
    db_path = Path(db_path)
    if read_only:
        if not db_path.is_file():
            raise FileNotFoundError(f"no findings database at {db_path}: run `findings build`")
        conn = open_read_only(db_path)
    else:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(db_path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        add_missing_columns(conn)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a store made by an earlier schema up to this one (columns added since, empty)."""
    for table, columns in ADDED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    conn.commit()


def open_read_only(db_path: Path) -> sqlite3.Connection:
    """A read-only connection; on a read-only file system, one that treats the file as immutable.

    SQLite's read-only mode still needs to create the WAL index beside the database, which a
    read-only mount refuses; ``immutable=1`` reads the file as it is (a finished build leaves
    nothing in the write-ahead log).
    """
    uri = db_path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Commit on success, roll back on error."""
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
