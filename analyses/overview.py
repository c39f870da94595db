"""Corpus overview: reports by year, council, collection and grade; findings by label and theme."""

from __future__ import annotations

import pandas as pd

from corpus.collections import grade_values
from nlp.labels import FINDING_LABELS

GRADE_ORDER = grade_values()


def reports_by(reports: pd.DataFrame, column: str) -> pd.DataFrame:
    """Number of reports per value of a reports column (``year`` is derived from the date).

    Args:
        reports: one row per report, with ``published`` as datetimes.
        column: ``"year"`` or any column of ``reports`` (e.g. ``council``, ``collection``).

    Returns:
        A frame with the column and ``reports``, most frequent first (years in order).

    """
    values = reports["published"].dt.year if column == "year" else reports[column]
    counts = values.fillna("unknown").value_counts().rename("reports")
    counts.index.name = column
    frame = counts.reset_index()
    if column == "year":
        frame = frame.sort_values(column, key=lambda s: s.astype(str)).reset_index(drop=True)
    return frame


def reports_by_grade(reports: pd.DataFrame,
                     column: str = "grade_overall_effectiveness") -> pd.DataFrame:
    """Number of reports per Ofsted grade, in grade order, ungraded last."""
    values = reports[column] if column in reports else pd.Series(index=reports.index, dtype=object)
    counts = values.fillna("ungraded").value_counts()
    order = [g for g in GRADE_ORDER if g in counts.index]
    order += [g for g in counts.index if g not in order]
    return counts.reindex(order).rename("reports").rename_axis("grade").reset_index()


def findings_by_label(findings: pd.DataFrame) -> pd.DataFrame:
    """Number and share of findings per label."""
    counts = findings["label"].value_counts()
    order = [lab for lab in FINDING_LABELS if lab in counts.index]
    order += [lab for lab in counts.index if lab not in order]
    counts = counts.reindex(order)
    total = max(int(counts.sum()), 1)
    return pd.DataFrame({"label": counts.index, "findings": counts.values,
                         "share": (counts.values / total).round(3)})


def findings_by_theme(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per theme and label (a finding with several themes counts once for each).

    Returns:
        Themes as rows, labels as columns, plus ``total``; largest first.

    """
    exploded = findings[["themes", "label"]].explode("themes").dropna(subset=["themes"])
    if exploded.empty:
        return pd.DataFrame(columns=["theme", "total"])
    table = pd.crosstab(exploded["themes"], exploded["label"])
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False)
    table.index.name = "theme"
    return table.reset_index()


def label_mix_by_report(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per label for each report, with the report's council and date."""
    table = pd.crosstab(findings["doc_id"], findings["label"])
    meta = findings.drop_duplicates("doc_id").set_index("doc_id")[["council", "published"]]
    return meta.join(table).fillna(0).sort_values("published").reset_index()


def plot_overview(reports: pd.DataFrame, findings: pd.DataFrame):
    """A four-panel figure: reports by year, by grade, findings by label, top themes."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    years = reports_by(reports, "year")
    axes[0, 0].bar(years["year"].astype(str), years["reports"], color="#4c72b0")
    axes[0, 0].set_title("Reports by year")
    axes[0, 0].tick_params(axis="x", rotation=90)
    grades = reports_by_grade(reports)
    axes[0, 1].bar(grades["grade"], grades["reports"], color="#55a868")
    axes[0, 1].set_title("Reports by overall effectiveness grade")
    axes[0, 1].tick_params(axis="x", rotation=20)
    labels = findings_by_label(findings)
    axes[1, 0].bar(labels["label"], labels["findings"], color="#c44e52")
    axes[1, 0].set_title("Findings by label")
    themes = findings_by_theme(findings).head(12)
    axes[1, 1].barh(themes["theme"][::-1], themes["total"][::-1], color="#8172b2")
    axes[1, 1].set_title("Findings by theme (top 12)")
    fig.tight_layout()
    return fig
