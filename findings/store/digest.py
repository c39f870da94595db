"""A short hash of the store's state: what every array derived from the store depends on.

Two stores (or one store at two moments) with the same digest hold the same findings, vector
index and report metadata, so arrays derived from one are valid for the other
(:mod:`findings.retrieval.cache`).
"""

from __future__ import annotations

import hashlib
import sqlite3

from findings.store.reads import get_meta, index_state

REPORT_COLUMNS = "doc_id, content_hash, council, collection, published, grades"  # stored before the text:
# read without its overflow pages; a report's other metadata changes only with a new extraction, which
# replaces its findings and so moves the generation


def state_digest(conn: sqlite3.Connection) -> str:
    """A hash of the store's id, generation, vector index record, last rowid and every report's metadata.

    The id is drawn when the database is made, so a store deleted and built again is another
    store even where its counters come out the same; the generation moves with every change to
    which findings exist; the index's checksum with every rewrite of the vector file; the
    reports' rows with a new content, council, type, date or grades.
    """
    digest = hashlib.sha256(repr((get_meta(conn, "store_id"), index_state(conn))).encode())
    digest.update(repr(conn.execute("SELECT max(rowid) FROM findings").fetchone()[0]).encode())
    for row in conn.execute(f"SELECT {REPORT_COLUMNS} FROM documents ORDER BY doc_id"):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:24]
