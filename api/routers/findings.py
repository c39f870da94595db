"""``GET /findings/{id}`` and ``GET /findings/{id}/similar``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.dependencies import Engine
from findings.retrieval import Filters, Hit
from nlp.labels import FindingLabel

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("/{finding_id}", response_model=Hit)
def get_finding(engine: Engine, finding_id: str) -> Hit:
    """One finding by its stable id."""
    hit = engine.finding(finding_id)
    if hit is None:
        raise HTTPException(status_code=404, detail=f"no finding with id {finding_id!r}")
    return hit


@router.get("/{finding_id}/similar", response_model=list[Hit])
def similar(
    engine: Engine,
    finding_id: str,
    label: FindingLabel | None = None,
    exclude_same_council: bool = False,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Hit]:
    """Nearest findings (e.g. recommendations for a weakness), optionally from other councils."""
    try:
        return engine.similar(finding_id=finding_id, k=k, filters=Filters(label=label),
                              exclude_same_council=exclude_same_council)
    except KeyError as exc:
        raise HTTPException(status_code=404, detail=f"no finding with id {finding_id!r}") from exc
