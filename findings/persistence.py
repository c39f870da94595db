"""Whether a weakness persists into a council's next inspection: the rule, on unit vectors.

An earlier weakness *persists* when its nearest weakness of the later report reaches
``THRESHOLD`` cosine and is at least as close as the later report's nearest strength. The
notebooks' analysis (:mod:`analyses.persistence`) and the council page apply the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.7


def best_match(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each source row, the index and similarity of its nearest target row (-1, nan if none)."""
    if len(target) == 0 or len(source) == 0:
        return np.full(len(source), -1), np.full(len(source), np.nan)
    sims = source @ target.T
    return sims.argmax(axis=1), sims.max(axis=1)


@dataclass(frozen=True)
class Persistence:
    """For each earlier weakness: its nearest later weakness and strength, and whether it persists."""

    weakness_index: np.ndarray
    weakness_similarity: np.ndarray
    strength_index: np.ndarray
    strength_similarity: np.ndarray
    persisting: np.ndarray


def persistence(earlier_weaknesses: np.ndarray, later_weaknesses: np.ndarray, later_strengths: np.ndarray,
                threshold: float = THRESHOLD) -> Persistence:
    """Apply the rule to the unit vectors of one report pair's weaknesses and later strengths."""
    w_idx, w_sim = best_match(earlier_weaknesses, later_weaknesses)
    s_idx, s_sim = best_match(earlier_weaknesses, later_strengths)
    w_ok, s_ok = np.nan_to_num(w_sim, nan=-1.0), np.nan_to_num(s_sim, nan=-1.0)
    return Persistence(w_idx, w_sim, s_idx, s_sim, (w_ok >= threshold) & (w_ok >= s_ok))
