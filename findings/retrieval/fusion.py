"""Fusing rankings: weighted reciprocal-rank fusion, and weighing by label confidence."""

from __future__ import annotations

import numpy as np

RRF_K = 60


def fuse(rankings: list[list[int]], weights: list[float] | None = None,
         k: int = RRF_K) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of several ranked id lists, best first.

    Equal scores keep the order in which ids were first met (the first ranking's first).
    """
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, rowid in enumerate(ranking):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def reciprocal_ranks(ranking: list[int], k: int = RRF_K) -> list[tuple[int, float]]:
    """One ranking scored as fusion would score it alone (``1 / (k + rank)``)."""
    return [(rowid, 1.0 / (k + rank + 1)) for rank, rowid in enumerate(ranking)]


def weigh_by_confidence(scored: list[tuple[int, float]],
                        confidence: np.ndarray) -> list[tuple[int, float]]:
    """Fused scores times the classifier's confidence in each finding's label, best first.

    Used when a label filter is set: the filter trusts the label, and a finding whose label is
    less certain ranks below an equally good match whose label is sure. ``confidence`` is
    indexed by rowid; a rowid beyond it counts as sure (1.0).
    """
    weighed = [(rowid, score * (float(confidence[rowid]) if rowid < len(confidence) else 1.0))
               for rowid, score in scored]
    return sorted(weighed, key=lambda pair: -pair[1])
