"""``GET /reports/{doc_id}``: a report's metadata and its findings by label."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException

from api.dependencies import Engine
from api.schemas import ReportOut

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{doc_id}", response_model=ReportOut)
def get_report(engine: Engine, doc_id: str) -> ReportOut:
    """Metadata of one report."""
    row = engine.conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail=f"no report with doc_id {doc_id!r}")
    counts = dict(engine.conn.execute(
        "SELECT label, count(*) FROM findings WHERE doc_id = ? GROUP BY label", (doc_id,)).fetchall())
    return ReportOut(
        doc_id=row["doc_id"], council=row["council"], council_code=row["council_code"],
        collection=row["collection"], doc_type=row["doc_type"], publisher=row["publisher"],
        published=row["published"], source_url=row["source_url"], licence=row["licence"],
        grades=json.loads(row["grades"] or "{}"), pages=len(json.loads(row["page_starts"])),
        findings=counts)
