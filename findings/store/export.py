"""The store as pandas DataFrames (findings, reports), and the findings exported to Parquet."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

from findings.store import reads
from findings.store.schema import ADDED_COLUMNS

FINDINGS_QUERY = """
SELECT f.id, f.doc_id, f.unit, f.text, f.label, f.confidence, f.section, f.block_kind, f.page,
       f.start_char, f.end_char, f.themes, d.council, d.council_code, d.collection, d.doc_type,
       d.publisher, d.published, {added}, d.source_url, d.grades{extra}
FROM findings f JOIN documents d USING (doc_id)
ORDER BY f.doc_id, f.unit
"""
REPORTS_QUERY = """
SELECT d.doc_id, d.council, d.council_code, d.collection, d.doc_type, d.publisher, d.published, {added},
       d.source_url, d.grades FROM documents d ORDER BY d.published, d.doc_id
"""


def added_columns(conn: sqlite3.Connection) -> str:
    """The columns added to documents since the first schema, ``NULL`` where a store lacks them."""
    return ", ".join(f"{reads.document_column(conn, c)} AS {c}" for c in ADDED_COLUMNS["documents"])


def with_grade_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its JSON ``grades`` column spread into ``grade_*`` columns, dates parsed."""
    grades = frame.pop("grades").map(lambda s: json.loads(s or "{}"))
    grade_frame = pd.DataFrame(list(grades), index=frame.index)
    frame = pd.concat([frame, grade_frame.add_prefix("grade_")], axis=1)
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    return frame


def findings_frame(conn: sqlite3.Connection, text_hash: bool = False) -> pd.DataFrame:
    """One row per finding with its document's metadata; grades as columns.

    ``text_hash`` adds the finding's text hash (the embedding cache key) as the last column.
    """
    query = FINDINGS_QUERY.format(added=added_columns(conn), extra=", f.text_hash" if text_hash else "")
    frame = pd.read_sql_query(query, conn)
    frame["themes"] = frame["themes"].map(lambda s: json.loads(s or "[]"))
    hashes = frame.pop("text_hash") if text_hash else None
    frame = with_grade_columns(frame)
    if hashes is not None:
        frame["text_hash"] = hashes
    return frame


def reports_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """One row per stored document with its metadata; grades as ``grade_*`` columns."""
    return with_grade_columns(pd.read_sql_query(REPORTS_QUERY.format(added=added_columns(conn)), conn))


def export_parquet(conn: sqlite3.Connection, out: str | Path) -> int:
    """Write the findings table to Parquet; returns the number of rows."""
    frame = findings_frame(conn)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out, index=False)
    return len(frame)
