"""How good a match set is on judged queries: precision, recall, unjudged share, calibration."""

from __future__ import annotations

import numpy as np

from findings.relevance.training import CUTOFFS, TARGET_PRECISION, JudgedQuery


def query_tally(query: JudgedQuery, p: np.ndarray, cutoff: float) -> tuple[int, int, int, int]:
    """One query's members at a cut-off: right (graded 2), judged, grade-2 units reached, all."""
    chosen = p >= cutoff
    right = chosen & (query.grades == 2)
    judged = chosen & (query.grades >= 0)
    return int(right.sum()), int(judged.sum()), len(set(query.units[right].tolist())), int(chosen.sum())


def match_quality(queries: list[JudgedQuery], probabilities: list[np.ndarray], cutoff: float) -> dict:
    """Pooled figures of the match sets at a cut-off.

    ``precision``: the share graded 2 among members aligned to a judged unit; ``recall``: the
    share of judged grade-2 units reached by a member; ``unjudged``: the share of members aligned
    to no judged unit.
    """
    tallies = [query_tally(query, p, cutoff) for query, p in zip(queries, probabilities, strict=True)]
    right, judged, reached, members = (int(v) for v in np.array(tallies).reshape(-1, 4).sum(axis=0))
    relevant = sum(query.relevant_units for query in queries)
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


def judged_predictions(queries: list[JudgedQuery], probabilities: list[np.ndarray]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Every judged candidate's predicted probability, and whether it was judged relevant."""
    predicted = np.concatenate([p[q.grades >= 0] for q, p in zip(queries, probabilities, strict=True)])
    return predicted, np.concatenate([q.grades[q.grades >= 0] == 2 for q in queries])


def proper_scores(queries: list[JudgedQuery], probabilities: list[np.ndarray]) -> dict:
    """The out-of-fold log loss and Brier score of the judged candidates' predictions.

    Proper scores reward a probability for being right about each candidate, so they compare two
    models on all their judged candidates at once, where a binned reliability table or a recall at
    one cut-off moves with a few candidates near a bin's or the cut-off's edge.
    """
    predicted, observed = judged_predictions(queries, probabilities)
    if not len(predicted):
        return {"judged": 0, "log_loss": None, "brier": None}
    clipped = np.clip(predicted, 1e-6, 1 - 1e-6)
    log_loss = -np.mean(np.where(observed, np.log(clipped), np.log1p(-clipped)))
    return {"judged": len(predicted), "log_loss": float(log_loss),
            "brier": float(np.mean((predicted - observed) ** 2))}


def equal_width_bins(predicted: np.ndarray, bins: int) -> np.ndarray:
    """Each prediction's bin of width ``1 / bins``."""
    return np.minimum((predicted * bins).astype(int), bins - 1)


def equal_count_bins(predicted: np.ndarray, bins: int) -> np.ndarray:
    """Each prediction's bin when the predictions, in order, are cut into ``bins`` equal shares."""
    which = np.empty(len(predicted), dtype=int)
    for b, positions in enumerate(np.array_split(np.argsort(predicted, kind="stable"), bins)):
        which[positions] = b
    return which


def reliability(queries: list[JudgedQuery], probabilities: list[np.ndarray], bins: int = 10,
                equal_count: bool = False) -> list[dict]:
    """Judged candidates in bins of predicted probability: mean prediction against observed share.

    The bins are of equal width (``0.0-0.1``, ...), or with ``equal_count`` each holds the same
    number of judged candidates (named by the range of predictions inside it).
    """
    predicted, observed = judged_predictions(queries, probabilities)
    which = (equal_count_bins if equal_count else equal_width_bins)(predicted, bins)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            name = (f"{predicted[inside].min():.2f}-{predicted[inside].max():.2f}" if equal_count
                    else f"{b / bins:.1f}-{(b + 1) / bins:.1f}")
            rows.append({"bin": name, "n": int(inside.sum()), "relevant": int(observed[inside].sum()),
                         "predicted": float(predicted[inside].mean()),
                         "observed": float(observed[inside].mean())})
    return rows


def worst_gap(predicted: np.ndarray, observed: np.ndarray, which: np.ndarray) -> float:
    """The largest distance between mean prediction and observed share over the bins."""
    return max(abs(observed[which == b].mean() - predicted[which == b].mean()) for b in np.unique(which))


def calibration_resolution(queries: list[JudgedQuery], probabilities: list[np.ndarray], *,
                           within: float = 0.10, bins: int = 10, draws: int = 2000, seed: int = 0) -> dict:
    """How far the worst of ``bins`` equal-width bins moves by chance alone, at these judged candidates.

    ``perfect``: the share of draws in which every bin is within ``within`` when each judged
    candidate's relevance is drawn from its own prediction (a perfectly calibrated model, its
    candidates independent). ``resampled``: the same share, and the median and 5th-95th
    percentiles of the worst gap, over the real judgments when the queries are drawn again with
    replacement (another set of queries like these).
    """
    rng = np.random.default_rng(seed)
    predicted, _ = judged_predictions(queries, probabilities)
    which = equal_width_bins(predicted, bins)
    perfect = [worst_gap(predicted, rng.random(len(predicted)) < predicted, which) for _ in range(draws)]
    per_query = [judged_predictions([q], [p]) for q, p in zip(queries, probabilities, strict=True)]
    resampled = []
    for _ in range(draws):
        chosen = [per_query[k] for k in rng.integers(0, len(per_query), len(per_query))]
        drawn_predicted = np.concatenate([c[0] for c in chosen])
        drawn_observed = np.concatenate([c[1] for c in chosen])
        resampled.append(worst_gap(drawn_predicted, drawn_observed, equal_width_bins(drawn_predicted, bins)))
    return {"within": within, "draws": draws, "perfect": float(np.mean(np.array(perfect) <= within)),
            "perfect_median": float(np.median(perfect)),
            "resampled": float(np.mean(np.array(resampled) <= within)),
            "resampled_median": float(np.median(resampled)),
            "resampled_range": (float(np.percentile(resampled, 5)), float(np.percentile(resampled, 95)))}


def per_query_tallies(queries: list[JudgedQuery], probabilities: list[np.ndarray],
                      cutoffs: tuple[float, ...]) -> np.ndarray:
    """Right, judged members and reached units of each query at each cut-off, and its relevant units.

    Shape (queries, cut-offs, 4): what pooled precision and recall sum.
    """
    return np.array([[(*query_tally(query, p, cutoff)[:3], query.relevant_units) for cutoff in cutoffs]
                     for query, p in zip(queries, probabilities, strict=True)], dtype=float)


def resampled_intervals(queries: list[JudgedQuery], probabilities: list[np.ndarray],
                        cutoffs: tuple[float, ...] = CUTOFFS, *, draws: int = 1000, seed: int = 0,
                        level: float = 0.95) -> list[dict]:
    """Intervals of the pooled precision and recall at each cut-off, drawing the queries again.

    A percentile bootstrap over queries (another set of queries like these), not over
    candidates: a query's candidates are not independent of one another.
    """
    tallies = per_query_tallies(queries, probabilities, cutoffs)
    drawn = np.random.default_rng(seed).integers(0, len(queries), (draws, len(queries)))
    sums = tallies[drawn].sum(axis=1)  # draws x cut-offs x 4
    with np.errstate(invalid="ignore", divide="ignore"):
        precision, recall = sums[..., 0] / sums[..., 1], sums[..., 2] / sums[..., 3]
    tails = (100 * (1 - level) / 2, 100 * (1 + level) / 2)

    def bounds(values: np.ndarray) -> list[float] | None:
        values = values[~np.isnan(values)]
        return [round(float(v), 4) for v in np.percentile(values, tails)] if len(values) else None

    return [{"cutoff": cutoff, "precision_interval": bounds(precision[:, j]),
             "recall_interval": bounds(recall[:, j])} for j, cutoff in enumerate(cutoffs)]


def measured(queries: list[JudgedQuery], probabilities: list[np.ndarray]) -> dict:
    """What a model file records of its cross-validation: the curve, the reliability, proper scores.

    Each point of the curve holds its precision and recall, with intervals over resampled queries.
    """
    intervals = resampled_intervals(queries, probabilities)
    return {"queries": len(queries),
            "curve": [{**match_quality(queries, probabilities, cutoff), **interval}
                      for cutoff, interval in zip(CUTOFFS, intervals, strict=True)],
            "reliability": reliability(queries, probabilities),
            "scores": proper_scores(queries, probabilities)}
