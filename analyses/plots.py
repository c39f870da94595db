"""Matplotlib figures for the analyses (each function returns a figure; nothing is shown).

Every function copes with empty inputs by drawing an empty, titled panel, so notebooks run on
small fixtures.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def empty_note(ax, message: str = "no data") -> None:
    """Write a centred note on an empty axis."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")


def plot_prevalence(groups: pd.DataFrame, top: int = 10):
    """Horizontal bars of the prevalence of the ``top`` largest groups.

    Args:
        groups: ``describe_groups`` merged with ``prevalence`` (``group``, ``name``,
            ``prevalence``, ``councils_with``, ``councils_inspected``).
        top: how many groups (largest first).

    """
    fig, ax = plt.subplots(figsize=(10, 0.45 * max(top, 4) + 1))
    rows = groups.head(top).iloc[::-1]
    if rows.empty:
        empty_note(ax)
    else:
        labels = [f"{g}: {n}"[:60] for g, n in zip(rows["group"], rows["name"], strict=True)]
        ax.barh(labels, rows["prevalence"], color="#c44e52")
        for y, (share, n) in enumerate(zip(rows["prevalence"], rows["councils_with"],
                                           strict=True)):
            ax.text(share, y, f" {share:.0%} ({n})", va="center", fontsize=8)
        ax.set_xlim(0, 1.1)
    ax.set_xlabel("share of councils inspected with at least one finding in the group")
    ax.set_title(f"Prevalence of the {top} largest weakness groups")
    fig.tight_layout()
    return fig


def plot_trend(trend: pd.DataFrame, names: dict[int, str] | None = None, top: int = 5):
    """Lines of yearly prevalence for the first ``top`` groups of a years × groups table."""
    fig, ax = plt.subplots(figsize=(10, 5))
    columns = list(trend.columns)[:top]
    if trend.empty or not columns:
        empty_note(ax)
    for group in columns:
        label = f"{group}: {(names or {}).get(group, '')}"[:50]
        ax.plot(trend.index.astype(str), trend[group], marker="o", label=label)
    if columns and not trend.empty:
        ax.legend(fontsize=8)
    ax.set_ylabel("prevalence among councils inspected that year")
    ax.set_title("Trend of the largest weakness groups by year")
    ax.tick_params(axis="x", rotation=90)
    fig.tight_layout()
    return fig


def plot_timelines(timelines: pd.DataFrame, councils: list[str]):
    """Per council, stacked bars of persisting/resolved earlier weaknesses and new ones per pair."""
    fig, axes = plt.subplots(1, max(len(councils), 1), figsize=(5 * max(len(councils), 1), 4),
                             squeeze=False)
    if not councils:
        empty_note(axes[0, 0], "no council with two or more inspections")
    for ax, council in zip(axes[0], councils, strict=False):
        rows = timelines[timelines["council"] == council]
        ticks = [f"{a:%Y}→{b:%Y}" for a, b in zip(rows["earlier_date"], rows["later_date"],
                                                     strict=True)]
        ax.bar(ticks, rows["persisting"], color="#c44e52", label="persisting")
        ax.bar(ticks, rows["resolved"], bottom=rows["persisting"], color="#55a868",
               label="resolved")
        ax.bar(ticks, rows["new"], bottom=rows["persisting"] + rows["resolved"],
               color="#8172b2", label="new")
        ax.set_title(council)
        ax.legend(fontsize=8)
    fig.suptitle("Weaknesses from one inspection to the next")
    fig.tight_layout()
    return fig


def plot_links(summary: pd.DataFrame):
    """Stacked bars of how each response document's actions were linked."""
    fig, ax = plt.subplots(figsize=(8, 4))
    if summary.empty:
        empty_note(ax)
    else:
        bottom = None
        names = [d[:30] for d in summary["doc_id"]]
        for method, colour in (("structure", "#4c72b0"), ("similarity", "#dd8452"),
                               ("unlinked", "#999999")):
            ax.bar(names, summary[method], bottom=bottom, color=colour, label=method)
            bottom = summary[method] if bottom is None else bottom + summary[method]
        ax.legend()
        ax.tick_params(axis="x", rotation=15)
    ax.set_ylabel("actions")
    ax.set_title("Actions linked to a recommendation, by method")
    fig.tight_layout()
    return fig
