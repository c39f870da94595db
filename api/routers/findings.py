"""``GET /findings/{id}`` and ``GET /findings/{id}/similar``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from api.dependencies import Engine
from api.errors import documented
from api.params import Count, Label
from api.web import page, wants_html
from findings.retrieval import Filters, Hit
from findings.store import page_reads, reads

PANEL = 6  # findings in each panel of a finding's page

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("/{finding_id}", response_model=Hit, responses=documented(404, 422, 429, 503))
def get_finding(request: Request, engine: Engine, finding_id: str) -> Hit:
    """One finding by its stable id (for a browser: the finding's page)."""
    hit = engine.finding(finding_id)
    if hit is None:
        raise HTTPException(status_code=404, detail=f"no finding with id {finding_id!r}")
    if not wants_html(request):
        return hit
    return finding_page(request, engine, hit)


def finding_page(request: Request, engine, hit: Hit):
    """The finding in its report's context, with comparable findings and recommendations elsewhere."""
    row = reads.finding_row(engine.conn, finding_id=hit.id)
    context = page_reads.finding_context(engine.conn, doc_id=hit.doc_id, unit=row["unit"])
    others = bool(hit.council)
    comparable = engine.similar(finding_id=hit.id, k=PANEL, exclude_same_council=others, one_per="council")
    recommended = engine.similar(finding_id=hit.id, k=PANEL, filters=Filters(label="recommendation"),
                                 exclude_same_council=others, one_per="council")
    pdf = f"{hit.source_url}#page={hit.page}" if hit.source_url and hit.page else hit.source_url
    return page(request, "finding.html", hit=hit, context=context, comparable=comparable,
                recommended=recommended, pdf=pdf)


@router.get("/{finding_id}/similar", response_model=list[Hit], responses=documented(404, 422, 429, 503))
def similar(
    engine: Engine,
    finding_id: str,
    label: Label,
    exclude_same_council: bool = False,
    k: Count = 10,
) -> list[Hit]:
    """Nearest findings (e.g. recommendations for a weakness), optionally from other councils."""
    try:
        return engine.similar(finding_id=finding_id, k=k, filters=Filters(label=label),
                              exclude_same_council=exclude_same_council)
    except KeyError as exc:
        raise HTTPException(status_code=404, detail=f"no finding with id {finding_id!r}") from exc
