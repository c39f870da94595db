"""Findings as a pandas DataFrame, and exported to Parquet, for notebooks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

FINDINGS_QUERY = """
SELECT f.id, f.doc_id, f.unit, f.text, f.label, f.confidence, f.section, f.block_kind, f.page,
       f.start_char, f.end_char, f.themes, d.council, d.council_code, d.collection, d.doc_type,
       d.publisher, d.published, d.source_url, d.grades
FROM findings f JOIN documents d USING (doc_id)
ORDER BY f.doc_id, f.unit
"""


def findings_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """One row per finding with its document's metadata; grades as columns."""
    frame = pd.read_sql_query(FINDINGS_QUERY, conn)
    frame["themes"] = frame["themes"].map(lambda s: json.loads(s or "[]"))
    grades = frame.pop("grades").map(lambda s: json.loads(s or "{}"))
    grade_frame = pd.DataFrame(list(grades), index=frame.index)
    frame = pd.concat([frame, grade_frame.add_prefix("grade_")], axis=1)
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    return frame


def export_parquet(conn: sqlite3.Connection, out: str | Path) -> int:
    """Write the findings table to Parquet; returns the number of rows."""
    frame = findings_frame(conn)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out, index=False)
    return len(frame)
