"""``GET /councils``: councils with their numbers of reports and findings."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import Store
from api.errors import documented
from api.schemas import CouncilOut
from findings.store import reads

router = APIRouter(tags=["councils"])


@router.get("/councils", response_model=list[CouncilOut], responses=documented(429, 503))
def councils(store: Store) -> list[CouncilOut]:
    """Every council in the store."""
    return [CouncilOut(**row) for row in reads.councils(store)]
