"""Named writes to the store: documents, refusals, findings, the full-text index, embeddings, metadata.

Every write that changes which findings exist advances the store's *generation* (``meta``), in
the same transaction, so that a server can tell that the store changed under it. A finding's
rowid (the index's id for it) is never given to another text: new findings take rowids above
every rowid the store has handed out (``next_rowid``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from findings.store import reads
from findings.store.schema import DOCUMENT_COLUMNS, FINDING_COLUMNS


def advance_generation(conn: sqlite3.Connection) -> int:
    """Count one more change to the store's findings; returns the new generation."""
    generation = reads.generation(conn) + 1
    set_meta(conn, "generation", str(generation))
    return generation


def reserve_rowids(conn: sqlite3.Connection) -> None:
    """Record the first rowid never handed out, before findings are deleted (it is not reused)."""
    set_meta(conn, "next_rowid", str(reads.next_rowid(conn)))


def upsert_document(conn: sqlite3.Connection, row: dict) -> None:
    """Insert or replace a document (its findings are dropped with it)."""
    reserve_rowids(conn)
    if conn.execute("DELETE FROM findings WHERE doc_id = ?", (row["doc_id"],)).rowcount:
        advance_generation(conn)
    values = [row.get(c) for c in DOCUMENT_COLUMNS]
    conn.execute(
        f"INSERT OR REPLACE INTO documents ({', '.join(DOCUMENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})", values)
    conn.execute("DELETE FROM refused WHERE doc_id = ?", (row["doc_id"],))


def move_document(conn: sqlite3.Connection, doc_id: str, path: str) -> None:
    """Note that a stored or refused document's file is now read from another path."""
    conn.execute("UPDATE documents SET path = ? WHERE doc_id = ?", (path, doc_id))
    conn.execute("UPDATE refused SET path = ? WHERE doc_id = ?", (path, doc_id))


def record_refusal(conn: sqlite3.Connection, path: str, doc_id: str, content_hash: str,
                   reason: str) -> None:
    """Remember a refused file and why."""
    conn.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?)",
                 (path, doc_id, content_hash, reason))


def replace_findings(conn: sqlite3.Connection, doc_id: str, rows: Iterable[dict],
                     segmented_with: str) -> None:
    """Swap in a document's new findings (under fresh rowids) and mark which pipeline made them."""
    first = reads.next_rowid(conn)  # before the delete: the document's own old rowids stay retired
    conn.execute("DELETE FROM findings WHERE doc_id = ?", (doc_id,))
    values = [[first + i] + [json.dumps(r[c]) if c == "themes" else r.get(c) for c in FINDING_COLUMNS]
              for i, r in enumerate(rows)]
    conn.executemany(
        f"INSERT INTO findings (rowid, {', '.join(FINDING_COLUMNS)}) "
        f"VALUES (?, {', '.join('?' * len(FINDING_COLUMNS))})", values)
    set_meta(conn, "next_rowid", str(first + len(values)))
    conn.execute("UPDATE documents SET segmented_with = ? WHERE doc_id = ?", (segmented_with, doc_id))
    advance_generation(conn)


def remove_documents(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> list[str]:
    """Delete documents with their findings and refusals; returns the ids that were stored."""
    removed = []
    reserve_rowids(conn)
    for doc_id in doc_ids:
        conn.execute("DELETE FROM refused WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM findings WHERE doc_id = ?", (doc_id,))
        if conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount:
            removed.append(doc_id)
    if removed:
        advance_generation(conn)
    return removed


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
