"""Validation against inspectors' judgements: weakness share per report vs grade or outcome.

Per report, ``weakness_share = weaknesses / (strengths + weaknesses)`` (and ``strength_share``
= 1 - it). Ofsted's overall effectiveness grade is made ordinal as *badness*: outstanding 0,
good 1, requires improvement 2, inadequate 3; an area SEND inspection's outcome likewise, from
positive experiences and outcomes 0 to widespread and/or systemic failings 2. A report without
a grade (inspections stopped carrying an overall grade in 2026) has no badness. If the labels
mean what they say, worse judgements carry larger weakness shares: Spearman's rho between the
two, with a percentile bootstrap confidence interval over reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from corpus.collections import of_report_type, outcome_values

BADNESS = {"outstanding": 0, "good": 1, "requires improvement": 2, "inadequate": 3}
GRADE_COLUMN = "grade_overall_effectiveness"
OUTCOME_COLUMN = "outcome"
SEND_COLLECTION = of_report_type("send inspection")[0]  # the area SEND inspections


def outcome_badness() -> dict[str, int]:
    """The SEND outcomes as badness, best first (from ``corpus/collections.json``)."""
    return {outcome: i for i, outcome in enumerate(outcome_values())}


@dataclass
class Correlation:
    """Spearman's rho with a bootstrap confidence interval."""

    rho: float
    low: float
    high: float
    n: int
    level: float

    def __str__(self) -> str:
        """E.g. ``rho = 0.91 (95% CI 0.88 to 0.93, n = 112)``."""
        return (f"rho = {self.rho:.3f} ({self.level:.0%} CI {self.low:.3f} to {self.high:.3f}, "
                f"n = {self.n})")


def report_shares(findings: pd.DataFrame, grade_column: str = GRADE_COLUMN,
                  scale: dict[str, int] | None = None) -> pd.DataFrame:
    """Strength and weakness counts and shares per report, with the grade and its badness.

    Args:
        findings: one row per finding, with ``doc_id``, ``label``, ``council``, ``published``.
        grade_column: the column holding each report's grade or outcome.
        scale: grade value to badness (default :data:`BADNESS`); any other value, an empty
            one included, has no badness.

    Reports without strengths or weaknesses get ``NaN`` shares.
    """
    counts = pd.crosstab(findings["doc_id"], findings["label"])
    counts = counts.reindex(columns=["strength", "weakness"], fill_value=0)
    columns = ["council", "published"] + ([grade_column] if grade_column in findings else [])
    meta = findings.drop_duplicates("doc_id").set_index("doc_id")[columns]
    table = meta.join(counts)
    total = (table["strength"] + table["weakness"]).replace(0, np.nan)
    table["weakness_share"] = table["weakness"] / total
    table["strength_share"] = table["strength"] / total
    grade = table[grade_column] if grade_column in table else pd.Series(np.nan, table.index)
    table = table.assign(grade=grade, badness=grade.map(scale or BADNESS))
    return table.drop(columns=[grade_column], errors="ignore").reset_index()


def send_outcome_shares(findings: pd.DataFrame) -> pd.DataFrame:
    """:func:`report_shares` of the area SEND inspections, with their outcome as the grade."""
    send = findings[findings["collection"] == SEND_COLLECTION]
    return report_shares(send, OUTCOME_COLUMN, outcome_badness())


def spearman_ci(x: np.ndarray, y: np.ndarray, n_boot: int = 2000, level: float = 0.95,
                seed: int = 0) -> Correlation:
    """Spearman's rho of ``x`` and ``y`` with a percentile bootstrap interval (resampling pairs).

    Args:
        x: first variable.
        y: second variable (same length).
        n_boot: bootstrap resamples.
        level: confidence level of the interval.
        seed: random seed.

    """
    from scipy.stats import rankdata

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return Correlation(np.nan, np.nan, np.nan, len(x), level)
    rho = pearson(rankdata(x), rankdata(y))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    boots = np.array([pearson(rankdata(x[i]), rankdata(y[i])) for i in idx])
    boots = boots[~np.isnan(boots)]
    tail = (1 - level) / 2
    low, high = (np.quantile(boots, [tail, 1 - tail]) if len(boots) else (np.nan, np.nan))
    return Correlation(float(rho), float(low), float(high), len(x), level)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation, ``NaN`` when either variable is constant."""
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else float("nan")


def grade_correlation(shares: pd.DataFrame, column: str = "weakness_share",
                      **bootstrap) -> Correlation:
    """Spearman's rho between a share column and grade badness over graded reports."""
    graded = shares.dropna(subset=["badness", column])
    return spearman_ci(graded[column].to_numpy(), graded["badness"].to_numpy(), **bootstrap)


def shares_by_grade(shares: pd.DataFrame, scale: dict[str, int] | None = None) -> pd.DataFrame:
    """Summary of weakness share per grade (reports, median, quartiles), best grade first."""
    graded = shares.dropna(subset=["badness", "weakness_share"])
    table = (graded.groupby("grade")["weakness_share"].describe()
             .reindex(columns=["count", "25%", "50%", "75%"]))
    order = [g for g in (scale or BADNESS) if g in table.index]
    return table.reindex(order).rename(columns={"50%": "median"}).round(3).reset_index()


def plot_shares(shares: pd.DataFrame, correlation: Correlation | None = None,
                scale: dict[str, int] | None = None,
                xlabel: str = "Ofsted overall effectiveness (worse →)"):
    """Strip plot of weakness share per report by grade, with the medians and rho in the title."""
    import matplotlib.pyplot as plt

    scale = scale or BADNESS
    graded = shares.dropna(subset=["badness", "weakness_share"])
    fig, ax = plt.subplots(figsize=(8, 5))
    rng = np.random.default_rng(0)
    for badness in scale.values():
        values = graded.loc[graded["badness"] == badness, "weakness_share"]
        ax.scatter(badness + rng.uniform(-0.15, 0.15, len(values)), values, alpha=0.6, s=18)
        if len(values):
            ax.hlines(values.median(), badness - 0.3, badness + 0.3, color="black")
    ax.set_xticks(list(scale.values()), [name.replace(" and", "\nand") for name in scale])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("weaknesses / (strengths + weaknesses)")
    ax.set_title(f"Weakness share per report: {correlation}" if correlation
                 else "Weakness share per report")
    fig.tight_layout()
    return fig
