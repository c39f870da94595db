"""How good a match set is on judged queries: precision, recall, unjudged share, calibration."""

from __future__ import annotations

import numpy as np

from findings.relevance.training import CUTOFFS, TARGET_PRECISION, JudgedQuery


def match_quality(queries: list[JudgedQuery], probabilities: list[np.ndarray], cutoff: float) -> dict:
    """Pooled figures of the match sets at a cut-off.

    ``precision``: the share graded 2 among members aligned to a judged unit; ``recall``: the
    share of judged grade-2 units reached by a member; ``unjudged``: the share of members aligned
    to no judged unit.
    """
    right = judged = members = reached = relevant = 0
    for query, p in zip(queries, probabilities, strict=True):
        chosen = p >= cutoff
        members += int(chosen.sum())
        judged += int((chosen & (query.grades >= 0)).sum())
        right += int((chosen & (query.grades == 2)).sum())
        reached += len(set(query.units[chosen & (query.grades == 2)].tolist()))
        relevant += query.relevant_units
    return {"cutoff": cutoff, "precision": right / judged if judged else None,
            "recall": reached / relevant if relevant else None, "members": members,
            "judged_members": judged, "unjudged": (members - judged) / members if members else None}


def chosen_cutoff(queries: list[JudgedQuery], probabilities: list[np.ndarray],
                  target: float = TARGET_PRECISION) -> float:
    """The lowest cut-off whose pooled precision reaches the target (the highest tried if none does)."""
    for cutoff in CUTOFFS:
        precision = match_quality(queries, probabilities, cutoff)["precision"]
        if precision is not None and precision >= target:
            return cutoff
    return CUTOFFS[-1]


def reliability(queries: list[JudgedQuery], probabilities: list[np.ndarray], bins: int = 10) -> list[dict]:
    """Judged candidates in bins of predicted probability: mean prediction against observed share."""
    predicted = np.concatenate([p[q.grades >= 0] for q, p in zip(queries, probabilities, strict=True)])
    observed = np.concatenate([q.grades[q.grades >= 0] == 2 for q in queries])
    which = np.minimum((predicted * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": int(inside.sum()),
                         "relevant": int(observed[inside].sum()),
                         "predicted": float(predicted[inside].mean()),
                         "observed": float(observed[inside].mean())})
    return rows


def measured(queries: list[JudgedQuery], probabilities: list[np.ndarray]) -> dict:
    """What a model file records of its cross-validation: the curve over cut-offs, the reliability."""
    return {"queries": len(queries),
            "curve": [match_quality(queries, probabilities, cutoff) for cutoff in CUTOFFS],
            "reliability": reliability(queries, probabilities)}
