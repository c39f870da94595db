"""Facet counts over a search's matched set, and the set as CSV or Parquet."""

from __future__ import annotations

import csv
import io
from collections import Counter

from findings.retrieval import Hit

FACETS = (("label", "Kind"), ("collection", "Report type"), ("year", "Year"), ("council", "Council"),
          ("theme", "Theme"))
TOP_VALUES = 12
COLUMNS = ("id", "doc_id", "council", "collection", "published", "page", "section", "label", "confidence",
           "text", "source_url")


def facet_counts(hits: list[Hit]) -> dict[str, list[tuple[str, int]]]:
    """Per facet, its most frequent values among the hits with their counts (most first)."""
    values = {name: Counter() for name, _ in FACETS}
    for hit in hits:
        values["label"][hit.label] += 1
        values["collection"][hit.collection or "unknown"] += 1
        values["year"][(hit.published or "")[:4] or "unknown"] += 1
        values["council"][hit.council or "unknown"] += 1
        values["theme"].update(hit.themes)
    ordered = {name: counts.most_common(TOP_VALUES) for name, counts in values.items()}
    ordered["year"] = sorted(ordered["year"], reverse=True)
    return ordered


def facet_filter(name: str, value: str) -> dict[str, str]:
    """The search parameters that narrow to one facet value (a year is its date range)."""
    if name == "year":
        return {"date_from": f"{value}-01-01", "date_to": f"{value}-12-31"}
    return {name: value}


def csv_text(hits: list[Hit]) -> str:
    """The hits as CSV, one row each, in rank order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("rank", *COLUMNS))
    for rank, hit in enumerate(hits, start=1):
        writer.writerow((rank, *(getattr(hit, c) for c in COLUMNS)))
    return out.getvalue()


def parquet_bytes(hits: list[Hit]) -> bytes:
    """The hits as a Parquet file."""
    import pandas as pd

    frame = pd.DataFrame([{"rank": r, **{c: getattr(h, c) for c in COLUMNS}} for r, h in enumerate(hits, 1)],
                         columns=("rank", *COLUMNS))
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()
