"""``GET /``: the search page for a browser (the JSON hits of ``/search`` for other clients).

The matched set is the best ``MATCHED`` hits of the hybrid ranking under the filters; facet
counts are over it, pages of ``PAGE`` hits are taken from it by keyset (``after`` = the id of the
last hit shown), and ``format=csv|parquet`` downloads it whole.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.dependencies import Engine, check_dates, kept_for_engine
from api.errors import documented
from api.facets import FACETS, csv_text, facet_counts, facet_filter, parquet_bytes
from api.params import FormCollection, FormDateFrom, FormDateTo, FormGrade, FormLabel, FormOutcome, FormTheme
from api.routers.saved import csrf_token, keep_token
from api.web import page, wants_html, with_params
from corpus.collections import collection_ids, grade_values, outcome_values
from findings.retrieval import Filters, Hit
from findings.store import reads
from nlp.labels import FINDING_LABELS
from nlp.themes import theme_names

router = APIRouter(tags=["pages"])
MATCHED = 100
PAGE = 20
DOWNLOADS = {"csv": lambda hits: (csv_text(hits), "text/csv"),
             "parquet": lambda hits: (parquet_bytes(hits), "application/vnd.apache.parquet")}


def choices() -> dict[str, tuple[str, ...]]:
    """The values each enumerated filter offers."""
    return {"label": FINDING_LABELS, "collection": tuple(collection_ids()), "theme": tuple(theme_names()),
            "grade": tuple(grade_values()), "outcome": tuple(outcome_values())}


def page_after(hits: list[Hit], after: str | None) -> tuple[list[Hit], int]:
    """The page of hits following the one with id ``after`` (the first page if absent), and its start."""
    start = next((i + 1 for i, hit in enumerate(hits) if hit.id == after), 0) if after else 0
    return hits[start : start + PAGE], start


def facet_links(request: Request, hits: list[Hit]) -> dict[str, list[tuple[str, int, str | None]]]:
    """Each facet's values and counts, with the URL narrowing the search to the value."""
    return {name: [(value, n, None if value == "unknown" else
                    with_params(request, after=None, **facet_filter(name, value)))
                   for value, n in values] for name, values in facet_counts(hits).items()}


PAGE_CONTENT = {200: {"content": {"text/html": {}, "text/csv": {}, "application/vnd.apache.parquet": {}},
                     "description": "the hits as JSON; the page (a browser, or format=html); CSV or Parquet"}}


@router.get("/", response_model=list[Hit], responses={**PAGE_CONTENT, **documented(422, 429, 503)})
async def search_page(
    request: Request,
    engine: Engine,
    label: FormLabel,
    theme: FormTheme,
    grade: FormGrade,
    collection: FormCollection,
    outcome: FormOutcome,
    date_from: FormDateFrom,
    date_to: FormDateTo,
    q: Annotated[str, Query(max_length=2000, description="free text (empty: the page's form alone)")] = "",
    council: Annotated[str | None, Query(description="only this council's findings (any case)")] = None,
    one_per: Literal["report", "council", ""] = "",
    after: Annotated[str | None, Query(description="keyset: id of the previous page's last hit")] = None,
    format: Literal["html", "json", "csv", "parquet"] | None = None,
):
    """The search page (a browser), or the matched set as JSON, CSV or Parquet (``format``)."""
    filters = check_dates(Filters(label=label, council=council or None, collection=collection, theme=theme,
                                  grade=grade, outcome=outcome, date_from=date_from, date_to=date_to))
    hits = []
    if q.strip() and any(c.isalnum() for c in q):
        hits = await engine.search_async(q, k=MATCHED, filters=filters, one_per=one_per or None)
    if format in DOWNLOADS:
        body, media_type = DOWNLOADS[format](hits)
        return Response(body, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="findings.{format}"'})
    if format == "json" or (format is None and not wants_html(request)):
        return hits
    shown, start = page_after(hits, after)
    following = shown[-1].id if start + PAGE < len(hits) and shown else None
    token = csrf_token(request)
    response = page(request, "search.html", q=q, filters=filters.values(), one_per=one_per, choices=choices(),
                    hits=shown, first=start + 1, matched=len(hits), limit=MATCHED, next_after=following,
                    facets=facet_links(request, hits), facet_titles=FACETS,
                    councils=council_names(request, engine), csrf=token,
                    absent=engine.absent_terms(q) if q.strip() else [],
                    can_save=not request.app.state.settings.read_only)
    keep_token(response, token)
    return response


def council_names(request: Request, engine) -> list[str]:
    """The store's council names, read once per loaded engine."""
    return kept_for_engine(request, engine, "council_names",
                           lambda: [c["council"] for c in reads.councils(engine.conn)])
