"""``GET /findings/{id}`` and ``GET /findings/{id}/similar``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.dependencies import Engine
from api.errors import documented
from api.params import Count, Label
from findings.retrieval import Filters, Hit

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("/{finding_id}", response_model=Hit, responses=documented(404, 422, 429, 503))
def get_finding(engine: Engine, finding_id: str) -> Hit:
    """One finding by its stable id."""
    hit = engine.finding(finding_id)
    if hit is None:
        raise HTTPException(status_code=404, detail=f"no finding with id {finding_id!r}")
    return hit


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
