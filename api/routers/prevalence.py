"""``GET /prevalence``: how many councils were told something, out of how many, by year, and the trend."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from api.dependencies import Counts, ReportFilters
from api.errors import documented
from api.params import Label, Text
from api.web import page, wants_html
from corpus.collections import collection_ids
from nlp.labels import FINDING_LABELS

router = APIRouter(tags=["counts"])
SHOWN = 100  # matched findings listed on the page (the JSON lists every one)


@router.get("/prevalence", responses=documented(422, 429, 503))
def prevalence(
    request: Request,
    counter: Counts,
    q: Text,
    label: Label,
    filters: ReportFilters,
    by: Literal["year", "collection", "region"] = "year",
    cutoff: Annotated[float | None, Query(gt=0, le=1, description="probability a match reaches "
                                          "(default: the model's, chosen for precision 0.90)")] = None,
) -> dict:
    """The councils with a finding matching ``q``, out of the councils with a report in scope.

    The same as ``findings count --json``: the query, label, filters, cut-off and its estimated
    precision and recall, the totals with a Wilson interval, a row per group, the trend over
    years, the counts at cut-offs 0.5 / 0.7 / 0.9, every matched finding (id, doc_id, council,
    date, text, probability), the findings just below the cut-off, and the query's words that no
    finding holds (``absent_terms``: a misspelling counts for nothing but its meaning). Dates
    bound each report's date (its inspection's end, else its publication). Sync: the count runs on
    a worker thread.
    """
    count = counter.count(q, label=label, filters=filters, cutoff=cutoff, by=by).as_dict()
    if not wants_html(request):
        return count
    return page(request, "prevalence.html", count=count, chart=chart_bars(count["rows"]),
                collections=collection_ids(), labels=FINDING_LABELS, shown=SHOWN)


def chart_bars(rows: list[dict], height: float = 160.0) -> list[dict]:
    """Bars of the share per group for the page's SVG chart: top and interval in pixels."""
    return [{**row, "top": height * (1 - (row["share"] or 0)), "low": height * (1 - row["interval"][0]),
             "high": height * (1 - row["interval"][1])} for row in rows]
