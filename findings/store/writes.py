"""Named writes to the store: documents, refusals, findings, the full-text index, embeddings, metadata."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from findings.store.schema import DOCUMENT_COLUMNS, FINDING_COLUMNS


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


def put_embeddings(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, bytes]]) -> None:
    """Cache embeddings as ``(text_hash, model, float32 bytes)`` rows, and commit."""
    conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
    conn.commit()


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Write a metadata value."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
