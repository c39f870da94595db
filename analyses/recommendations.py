"""Comparable recommendations: what other councils were told to do about a similar weakness.

Given a weakness (a finding id or free text), the reports of *other* councils that contain a
similar weakness (cosine similarity at least ``weakness_threshold``) are found; from each such
report, the recommendations most similar to the weakness are kept (at least
``recommendation_threshold``). Results carry council, date, report and page, and can be grouped
by council.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from findings.encoding import encode

COLUMNS = ["council", "published", "doc_id", "page", "recommendation", "recommendation_id",
           "recommendation_similarity", "matched_weakness", "weakness_similarity", "source_url"]


def query_vector(findings: pd.DataFrame, embeddings: np.ndarray, query: str,
                 encoder=None) -> tuple[np.ndarray, str | None, str]:
    """The vector, council and text of a query given as a finding id or as free text.

    Args:
        findings: the findings table (aligned with ``embeddings``).
        embeddings: unit vectors.
        query: a finding id from ``findings["id"]``, or any text.
        encoder: a loaded encoder for free text (:func:`analyses.data.corpus_encoder`).

    Returns:
        ``(vector, council or None, text)``.

    """
    hits = np.flatnonzero(findings["id"].to_numpy() == query)
    if len(hits):
        row = findings.iloc[hits[0]]
        return embeddings[hits[0]], row["council"], row["text"]
    if not query.strip():
        raise ValueError("give a finding id or some text")
    if encoder is None:
        raise ValueError("a free-text query needs an encoder")
    vector = encode([query], encoder)[0]
    return vector / max(float(np.linalg.norm(vector)), 1e-12), None, query


def similar_weakness_reports(findings: pd.DataFrame, embeddings: np.ndarray, vector: np.ndarray,
                             exclude_council: str | None, threshold: float) -> pd.DataFrame:
    """Per report of another council, its weakness most similar to ``vector`` if above threshold."""
    sims = embeddings @ vector
    mask = (findings["label"] == "weakness").to_numpy() & (sims >= threshold)
    if exclude_council:
        mask &= (findings["council"].str.lower() != exclude_council.lower()).to_numpy()
    rows = findings.loc[mask, ["doc_id", "text"]].assign(weakness_similarity=sims[mask])
    rows = rows.sort_values("weakness_similarity", ascending=False).drop_duplicates("doc_id")
    return rows.rename(columns={"text": "matched_weakness"})


def comparable_recommendations(findings: pd.DataFrame, embeddings: np.ndarray, query: str,
                               encoder=None, weakness_threshold: float = 0.6,
                               recommendation_threshold: float = 0.45,
                               per_report: int = 2) -> pd.DataFrame:
    """Recommendations other councils received in reports with a weakness similar to the query.

    Args:
        findings: the findings table (aligned with ``embeddings``).
        embeddings: unit vectors.
        query: a finding id or free text describing a weakness.
        encoder: encoder for free-text queries.
        weakness_threshold: minimum similarity of a report's weakness to the query.
        recommendation_threshold: minimum similarity of a recommendation to the query.
        per_report: most recommendations kept per report.

    Returns:
        One row per recommendation (see ``COLUMNS``), most similar first.

    """
    vector, council, _ = query_vector(findings, embeddings, query, encoder)
    reports = similar_weakness_reports(findings, embeddings, vector, council, weakness_threshold)
    sims = embeddings @ vector
    mask = (findings["label"] == "recommendation").to_numpy() & (sims >= recommendation_threshold)
    mask &= findings["doc_id"].isin(reports["doc_id"]).to_numpy()
    recs = findings.loc[mask].assign(recommendation_similarity=sims[mask].round(4))
    recs = recs.sort_values("recommendation_similarity", ascending=False)
    recs = recs.groupby("doc_id", sort=False).head(per_report).merge(reports, on="doc_id")
    recs = recs.rename(columns={"text": "recommendation", "id": "recommendation_id"})
    recs["weakness_similarity"] = recs["weakness_similarity"].round(4)
    return recs[COLUMNS].reset_index(drop=True)


def by_council(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Comparable recommendations grouped by council: dates, reports and the recommendations.

    Returns:
        One row per council (best match first) with ``first``/``last`` dates, ``reports``,
        ``recommendations`` (count) and ``examples`` (the texts, most similar first).

    """
    columns = ["council", "first", "last", "reports", "recommendations", "best_similarity",
               "examples"]
    if recommendations.empty:
        return pd.DataFrame(columns=columns)
    grouped = recommendations.groupby("council").agg(
        first=("published", "min"), last=("published", "max"), reports=("doc_id", "nunique"),
        recommendations=("recommendation", "size"),
        best_similarity=("recommendation_similarity", "max"),
        examples=("recommendation", lambda s: list(s)))
    return grouped.sort_values("best_similarity", ascending=False).reset_index()[columns]


def example_weakness(findings: pd.DataFrame, embeddings: np.ndarray) -> str | None:
    """A weakness id to demonstrate with: the one with most similar weaknesses elsewhere.

    Looks at up to 500 weaknesses (deterministically) and returns the id of the one whose
    nearest weaknesses in other councils are, on average, most similar; ``None`` if none.
    """
    weak = np.flatnonzero((findings["label"] == "weakness").to_numpy())
    if len(weak) == 0:
        return None
    sample = weak[:: max(1, len(weak) // 500)]
    sims = embeddings[sample] @ embeddings[weak].T
    councils = findings["council"].to_numpy()
    other = councils[sample][:, None] != councils[weak][None, :]
    sims = np.where(other, sims, -1.0)
    top = np.sort(sims, axis=1)[:, -10:].mean(axis=1)
    return str(findings["id"].iloc[sample[int(np.argmax(top))]])
