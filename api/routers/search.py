"""``GET /search``: hybrid search with filters; ``GET /similar``: nearest findings to a free text."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.dependencies import Engine, ReportFilters
from api.errors import documented
from api.params import Count, Label, Text
from findings.retrieval import Filters, Hit

router = APIRouter(tags=["search"])


@router.get("/search", response_model=list[Hit], responses=documented(422, 429, 503))
async def search(
    engine: Engine,
    q: Text,
    label: Label,
    filters: ReportFilters,
    one_per: Literal["report", "council"] | None = None,
    k: Count = 10,
) -> list[Hit]:
    """Findings matching a query, best first, with provenance and matched terms.

    ``async`` (:meth:`~findings.retrieval.engine.SearchEngine.search_async`): encoding runs on the
    batching encoder thread, the rest of the search on the event loop, one search at a time per
    worker, with no thread-pool hop and no request threads contending for the GIL (less server
    CPU per request than a sync route: ``docs/retrieval.md``).
    """
    return await engine.search_async(q, k=k, filters=replace(filters, label=label), one_per=one_per)


@router.get("/similar", response_model=list[Hit], responses=documented(422, 429, 503))
def similar_to_text(
    engine: Engine,
    q: Text,
    label: Label,
    exclude_council: Annotated[str | None, Query(description="leave out this council's findings")] = None,
    k: Count = 10,
) -> list[Hit]:
    """Findings nearest in meaning to a free text, e.g. the recommendations for a weakness.

    The free-text form of ``/findings/{id}/similar`` (dense similarity only, as there).
    """
    return engine.similar(text=q, k=k, filters=Filters(label=label, exclude_council=exclude_council))
