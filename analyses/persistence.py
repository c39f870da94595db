"""Persistence: whether a council's weakness survives into its next inspection.

For every council with two or more inspection reports (same collection), consecutive reports
are paired. Each weakness of the earlier report is marked

* ``persisting`` when the later report has a weakness with cosine similarity at least
  ``threshold`` that is at least as close as any strength of the later report;
* ``resolved`` otherwise — either a similar strength outranks it (``resolved_by="strength"``)
  or nothing in the later report reaches the threshold (``resolved_by="nothing similar"``).

Each weakness of the later report with no earlier weakness at or above the threshold is
``new``. Pairs within ``margin`` of the threshold are *borderline* and listed for inspection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus.collections import of_report_type
from findings.persistence import THRESHOLD, best_match, persistence

INSPECTIONS = of_report_type("inspection")[0]  # the collection of full inspections
MARGIN = 0.05
STATUS_COLUMNS = ["council", "earlier", "later", "earlier_date", "later_date", "finding_id",
                  "text", "page", "status", "resolved_by", "best_weakness", "weakness_similarity",
                  "best_strength", "strength_similarity"]


def inspection_pairs(reports: pd.DataFrame, collection: str | None = INSPECTIONS) -> pd.DataFrame:
    """Consecutive report pairs of councils with two or more reports.

    Args:
        reports: one row per report (``doc_id``, ``council``, ``collection``, ``published``).
        collection: only pair reports of this collection (``None``: any).

    Returns:
        ``council``, ``earlier``, ``later``, ``earlier_date``, ``later_date``.

    """
    rows = reports.dropna(subset=["council", "published"])
    if collection is not None:
        rows = rows[rows["collection"] == collection]
    rows = rows.sort_values(["council", "published", "doc_id"])
    pairs = rows.assign(later=rows.groupby("council")["doc_id"].shift(-1),
                        later_date=rows.groupby("council")["published"].shift(-1))
    pairs = pairs.dropna(subset=["later"]).rename(columns={"doc_id": "earlier",
                                                          "published": "earlier_date"})
    return pairs[["council", "earlier", "later", "earlier_date", "later_date"]].reset_index(
        drop=True)


def compare_pair(findings: pd.DataFrame, embeddings: np.ndarray, earlier: str, later: str,
                 threshold: float = THRESHOLD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mark the weaknesses of one report pair.

    Returns:
        ``(earlier_weaknesses, new_weaknesses)``: the earlier report's weaknesses with status and
        best matches, and the later report's weaknesses with no similar earlier weakness.

    """
    doc, label = findings["doc_id"].to_numpy(), findings["label"].to_numpy()
    old_w = np.flatnonzero((doc == earlier) & (label == "weakness"))
    new_w = np.flatnonzero((doc == later) & (label == "weakness"))
    new_s = np.flatnonzero((doc == later) & (label == "strength"))
    marked = persistence(embeddings[old_w], embeddings[new_w], embeddings[new_s], threshold)
    w_idx, w_sim, s_idx, s_sim = (marked.weakness_index, marked.weakness_similarity, marked.strength_index,
                                  marked.strength_similarity)
    persisting, s_ok = marked.persisting, np.nan_to_num(s_sim, nan=-1.0)
    out = findings.iloc[old_w][["id", "text", "page"]].rename(columns={"id": "finding_id"})
    out["status"] = np.where(persisting, "persisting", "resolved")
    out["resolved_by"] = np.select([persisting, s_ok >= threshold], ["", "strength"],
                                   "nothing similar")
    texts = findings["text"].to_numpy()
    out["best_weakness"] = [texts[new_w[i]] if i >= 0 else None for i in w_idx]
    out["weakness_similarity"] = np.round(w_sim, 4)
    out["best_strength"] = [texts[new_s[i]] if i >= 0 else None for i in s_idx]
    out["strength_similarity"] = np.round(s_sim, 4)
    _, back = best_match(embeddings[new_w], embeddings[old_w])
    fresh = findings.iloc[new_w][np.nan_to_num(back, nan=-1.0) < threshold]
    new = fresh[["id", "text", "page"]].rename(columns={"id": "finding_id"}).assign(status="new")
    return out, new


def mark_persistence(findings: pd.DataFrame, embeddings: np.ndarray, pairs: pd.DataFrame,
                     threshold: float = THRESHOLD) -> pd.DataFrame:
    """Status of every earlier weakness (persisting/resolved) and every new later weakness.

    Args:
        findings: the findings table (aligned with ``embeddings``).
        embeddings: unit vectors.
        pairs: output of :func:`inspection_pairs`.
        threshold: the cosine similarity at which two weaknesses count as the same.

    Returns:
        One row per marked weakness (see ``STATUS_COLUMNS``).

    """
    parts = []
    for pair in pairs.itertuples(index=False):
        old, new = compare_pair(findings, embeddings, pair.earlier, pair.later, threshold)
        for part in (old, new):
            parts.append(part.assign(council=pair.council, earlier=pair.earlier, later=pair.later,
                                     earlier_date=pair.earlier_date, later_date=pair.later_date))
    if not parts:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=STATUS_COLUMNS)


def rates(marked: pd.DataFrame) -> pd.DataFrame:
    """Corpus-wide counts and rates: persisting and resolved over earlier weaknesses, new count."""
    counts = marked["status"].value_counts().reindex(["persisting", "resolved", "new"],
                                                     fill_value=0)
    earlier = counts["persisting"] + counts["resolved"]
    share = [counts["persisting"] / earlier if earlier else np.nan,
             counts["resolved"] / earlier if earlier else np.nan, np.nan]
    return pd.DataFrame({"status": counts.index, "weaknesses": counts.values,
                         "rate_of_earlier": np.round(share, 3)})


def timeline(marked: pd.DataFrame) -> pd.DataFrame:
    """Per council and report pair: counts of persisting, resolved and new weaknesses."""
    columns = ["council", "earlier", "later", "earlier_date", "later_date",
               "persisting", "resolved", "new"]
    if marked.empty:
        return pd.DataFrame(columns=columns)
    table = pd.crosstab([marked["council"], marked["earlier"], marked["later"],
                         marked["earlier_date"], marked["later_date"]], marked["status"])
    table = table.reindex(columns=["persisting", "resolved", "new"], fill_value=0)
    return table.reset_index().sort_values(["council", "earlier_date"]).reset_index(drop=True)


def borderline(marked: pd.DataFrame, threshold: float = THRESHOLD,
               margin: float = MARGIN) -> pd.DataFrame:
    """Earlier weaknesses whose best later weakness is within ``margin`` of the threshold."""
    sims = pd.to_numeric(marked["weakness_similarity"], errors="coerce")
    near = marked[(sims - threshold).abs() <= margin]
    return near[["council", "earlier", "later", "text", "best_weakness", "weakness_similarity",
                 "status"]].sort_values("weakness_similarity").reset_index(drop=True)


def councils_to_show(timelines: pd.DataFrame, n: int = 3) -> list[str]:
    """The councils with the most report pairs (then most weaknesses), for timeline plots."""
    if timelines.empty:
        return []
    score = timelines.groupby("council").agg(
        pairs=("later", "size"), total=("persisting", "sum"))
    return score.sort_values(["pairs", "total"], ascending=False).head(n).index.tolist()
