"""``GET /reports/{doc_id}``: a report's metadata and its findings by label."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Request

from api.dependencies import Engine
from api.errors import documented
from api.schemas import ReportOut
from api.web import page, wants_html
from findings.actions import link_document
from findings.store import page_reads, reads

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{doc_id}", response_model=ReportOut, responses=documented(404, 422, 429, 503))
def get_report(request: Request, engine: Engine, doc_id: str) -> ReportOut:
    """Metadata of one report (for a browser: the report's page, its findings by section)."""
    report = reads.report(engine.conn, doc_id=doc_id)
    if report is None:
        raise HTTPException(status_code=404, detail=f"no report with doc_id {doc_id!r}")
    if not wants_html(request):
        return ReportOut(**report)
    findings = page_reads.report_findings(engine.conn, doc_id=doc_id)
    sections: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        sections[finding["section"] or "(no heading)"].append(finding)
    recommendations = [f for f in findings if f["label"] == "recommendation"]
    return page(request, "report.html", report=report, sections=sections, recommendations=recommendations,
                answers=actions_answering(engine, findings))


def actions_answering(engine, findings: list[dict]) -> dict[str, list[dict]]:
    """For a council's response document: the actions answering each recommendation, by its id."""
    if not any(f["label"] == "action" for f in findings):
        return {}
    doc = pd.DataFrame(findings).sort_values("start_char", kind="stable").reset_index(drop=True)
    vectors = np.vstack([vector_or_zero(engine, rowid) for rowid in doc["rowid"]])
    links, _ = link_document(doc, vectors)
    answers: dict[str, list[dict]] = defaultdict(list)
    for link in links.itertuples(index=False):
        if link.recommendation_id:
            answers[link.recommendation_id].append({"id": link.action_id, "text": link.action,
                                                    "method": link.method})
    return answers


def vector_or_zero(engine, rowid: int) -> np.ndarray:
    """A finding's indexed vector (zeros if it is not indexed: it then links by structure only)."""
    vector = engine.stored_vector(int(rowid))
    return np.zeros(engine.index.vectors.shape[1], dtype=np.float32) if vector is None else vector
