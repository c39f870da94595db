"""Counts as DataFrames for notebooks: a researcher's concept counted over councils and years.

:func:`open_counter` opens the store's engine and relevance model once; :func:`count_frames`
turns one count (:class:`findings.relevance.counts.Count`) into three DataFrames: the rows per
group, the matched findings and the borderline ones. :func:`plot_count` draws the share by group
with its Wilson intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from analyses.plots import empty_note
from findings.relevance.counts import Count, Counter
from findings.relevance.report import absent_sentence, estimate_sentence
from findings.retrieval import Filters, SearchEngine
from findings.settings import Settings, get_settings


@dataclass
class CountFrames:
    """One count as tables: its groups, its members, its borderline findings and the count itself."""

    count: Count
    groups: pd.DataFrame
    findings: pd.DataFrame
    borderline: pd.DataFrame

    def summary(self) -> str:
        """The count in one sentence, with its cut-off, precision and trend (and any unused words)."""
        totals = self.count.totals
        low, high = totals["interval"]
        return (f"{self.count.query!r}: {totals['councils_matched']} of {totals['councils']} councils "
                f"({low:.0%}-{high:.0%}), {totals['findings']} findings; "
                f"{estimate_sentence(self.count.cutoff, self.count.estimated)}. "
                f"{self.count.trend['sentence']}"
                + (f" {absent_sentence(self.count.absent_terms)}" if self.count.absent_terms else ""))


def open_counter(settings: Settings | None = None) -> Counter:
    """A counter over the built store the settings name (``FINDINGS_DATA_DIR``)."""
    settings = settings or get_settings()
    return Counter.open(SearchEngine.open(settings), settings)


def count_frames(counter: Counter, text: str, *, label: str | None = None, by: str = "year",
                 cutoff: float | None = None, **filters: str) -> CountFrames:
    """Count a concept and return its tables (filters: collection, council, date_from...)."""
    count = counter.count(text, label=label, by=by, cutoff=cutoff, filters=Filters(**filters))
    groups = pd.DataFrame(count.rows, columns=["group", "councils_matched", "councils", "share", "interval"])
    groups[["low", "high"]] = pd.DataFrame(groups.pop("interval").tolist() or None, index=groups.index,
                                           columns=["low", "high"])
    columns = ["probability", "council", "date", "collection", "label", "text", "doc_id", "page", "id"]
    return CountFrames(count, groups, pd.DataFrame(count.findings, columns=columns),
                       pd.DataFrame(count.borderline, columns=columns))


def plot_count(frames: CountFrames):
    """The share of councils with a match per group, with 95% Wilson intervals."""
    fig, ax = plt.subplots(figsize=(10, 4))
    groups = frames.groups.dropna(subset=["share"])
    if groups.empty:
        empty_note(ax)
    else:
        x = range(len(groups))
        below, above = groups["share"] - groups["low"], groups["high"] - groups["share"]
        ax.errorbar(x, groups["share"], yerr=[below, above], fmt="o-", capsize=3)
        ax.set_xticks(list(x), groups["group"].astype(str), rotation=45, ha="right")
        ax.set_ylabel("share of councils with a match")
    ax.set_title(f"{frames.count.query!r} by {frames.count.by} (cut-off {frames.count.cutoff:.2f})")
    fig.tight_layout()
    return fig
