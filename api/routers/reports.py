"""``GET /reports/{doc_id}``: a report's metadata and its findings by label."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.dependencies import Store
from api.errors import documented
from api.schemas import ReportOut
from findings.store import reads

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{doc_id}", response_model=ReportOut, responses=documented(404, 422, 429, 503))
def get_report(store: Store, doc_id: str) -> ReportOut:
    """Metadata of one report."""
    report = reads.report(store, doc_id=doc_id)
    if report is None:
        raise HTTPException(status_code=404, detail=f"no report with doc_id {doc_id!r}")
    return ReportOut(**report)
