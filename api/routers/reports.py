"""``GET /reports/{doc_id}``: a report's metadata and its findings by label."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, HTTPException, Request

from api.dependencies import Store
from api.errors import documented
from api.schemas import ReportOut
from api.web import page, wants_html
from findings.store import page_reads, reads

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{doc_id}", response_model=ReportOut, responses=documented(404, 422, 429, 503))
def get_report(request: Request, store: Store, doc_id: str) -> ReportOut:
    """Metadata of one report (for a browser: the report's page, its findings by section)."""
    report = reads.report(store, doc_id=doc_id)
    if report is None:
        raise HTTPException(status_code=404, detail=f"no report with doc_id {doc_id!r}")
    if not wants_html(request):
        return ReportOut(**report)
    findings = page_reads.report_findings(store, doc_id=doc_id)
    sections: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        sections[finding["section"] or "(no heading)"].append(finding)
    recommendations = [f for f in findings if f["label"] == "recommendation"]
    return page(request, "report.html", report=report, sections=sections, recommendations=recommendations)
