"""``GET /search``: hybrid search with filters; ``GET /similar``: nearest findings to a free text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from api.dependencies import DATE_PATTERN, Engine, check_dates
from findings.retrieval import Filters, Hit
from nlp.labels import FindingLabel

router = APIRouter(tags=["search"])


@router.get("/search", response_model=list[Hit])
async def search(
    engine: Engine,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="free text")],
    label: FindingLabel | None = None,
    council: str | None = None,
    collection: str | None = None,
    theme: str | None = None,
    grade: str | None = None,
    date_from: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    date_to: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    one_per: Literal["report", "council"] | None = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Hit]:
    """Findings matching a query, best first, with provenance and matched terms.

    ``async`` (:meth:`~findings.retrieval.engine.SearchEngine.search_async`): encoding runs on the
    batching encoder thread, the rest of the search on the event loop, one search at a time per
    worker, with no thread-pool hop and no request threads contending for the GIL (less server
    CPU per request than a sync route: ``docs/retrieval.md``).
    """
    filters = check_dates(Filters(label=label, council=council, collection=collection, theme=theme,
                                  grade=grade, date_from=date_from, date_to=date_to))
    if not q.strip():
        raise HTTPException(status_code=422, detail="q is blank")
    return await engine.search_async(q, k=k, filters=filters, one_per=one_per)


@router.get("/similar", response_model=list[Hit])
def similar_to_text(
    engine: Engine,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="an inspector's own words")],
    label: FindingLabel | None = None,
    exclude_council: Annotated[str | None, Query(description="leave out this council's findings")] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Hit]:
    """Findings nearest in meaning to a free text, e.g. the recommendations for a weakness.

    The free-text form of ``/findings/{id}/similar`` (dense similarity only, as there).
    """
    if not q.strip():
        raise HTTPException(status_code=422, detail="q is blank")
    return engine.similar(text=q, k=k, filters=Filters(label=label, exclude_council=exclude_council))
