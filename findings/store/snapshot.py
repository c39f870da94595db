"""A store's content as plain values, for telling whether two builds wrote the same store."""

from __future__ import annotations

import sqlite3

import numpy as np

DOCUMENT_COLUMNS = "doc_id, content_hash, text, page_starts, council, collection, segmented_with"
FINDING_COLUMNS = "rowid, id, doc_id, text, label, start_char, end_char, page, section, text_hash"


def build_snapshot(conn: sqlite3.Connection) -> dict:
    """Documents (by doc_id), findings (by rowid, so the write order counts) and embeddings by text hash."""
    documents = [tuple(r) for r in conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY doc_id")]
    findings = [tuple(r) for r in conn.execute(f"SELECT {FINDING_COLUMNS} FROM findings ORDER BY rowid")]
    embeddings = {(r[0], r[1]): np.frombuffer(r[2], dtype=np.float32)
                  for r in conn.execute("SELECT text_hash, model, vector FROM embeddings")}
    return {"documents": documents, "findings": findings, "embeddings": embeddings}
