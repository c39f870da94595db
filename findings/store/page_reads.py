"""Reads the web pages need: a report's findings in order, a finding's neighbours, a council's reports."""

from __future__ import annotations

import json
import sqlite3

from findings.store.reads import document_column


def report_findings(conn: sqlite3.Connection, *, doc_id: str) -> list[dict]:
    """A report's findings in reading order, with what the pages and the action links read of them."""
    rows = conn.execute("SELECT rowid, id, doc_id, unit, text, label, confidence, section, block_kind, page, "
                        "start_char FROM findings WHERE doc_id = ? ORDER BY unit", (doc_id,)).fetchall()
    return [dict(r) for r in rows]


def finding_context(conn: sqlite3.Connection, *, doc_id: str, unit: int, around: int = 2) -> list[dict]:
    """The findings of a report within ``around`` units of one, in reading order."""
    rows = conn.execute("SELECT id, unit, text, label, section, page FROM findings WHERE doc_id = ? "
                        "AND unit BETWEEN ? AND ? ORDER BY unit", (doc_id, unit - around, unit + around))
    return [dict(r) for r in rows.fetchall()]


def council_reports(conn: sqlite3.Connection, *, council: str) -> list[dict]:
    """A council's reports, oldest first, with grades, outcome and findings per label."""
    rows = conn.execute(
        f"SELECT d.doc_id, d.collection, d.published, {document_column(conn, 'inspected')} AS inspected, "
        f"d.grades, {document_column(conn, 'outcome')} AS outcome, d.source_url, f.label, count(f.rowid) "
        "FROM documents d LEFT JOIN findings f USING (doc_id) WHERE lower(d.council) = lower(?) "
        "GROUP BY d.doc_id, f.label ORDER BY COALESCE(NULLIF(inspected, ''), d.published), d.doc_id",
        (council,)).fetchall()
    reports: dict[str, dict] = {}
    for row in rows:
        report = reports.setdefault(row["doc_id"], {
            "doc_id": row["doc_id"], "collection": row["collection"], "published": row["published"],
            "inspected": row["inspected"], "grades": json.loads(row["grades"] or "{}"),
            "outcome": row["outcome"], "source_url": row["source_url"], "findings": {}})
        if row["label"]:
            report["findings"][row["label"]] = row[8]
    return list(reports.values())
