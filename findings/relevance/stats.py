"""Intervals and trends for counts: Wilson intervals for shares, a logistic trend over years."""

from __future__ import annotations

import math

import numpy as np

Z = 1.959964  # two-sided 95%
MIN_YEARS = 3  # fewer distinct years: no trend is estimated


def wilson(successes: int, trials: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a share (``(0, 1)`` when there are no trials)."""
    if trials == 0:
        return 0.0, 1.0
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def logistic_slope(years: np.ndarray, outcomes: np.ndarray, steps: int = 100) -> tuple[float, float, float]:
    """Logistic regression of outcomes on centred years, by Firth's penalised likelihood (Newton).

    Firth's penalty keeps the estimate finite when the years separate the outcomes (no match
    before some year, a match in every year after: common with few councils), where plain maximum
    likelihood runs off to an infinite slope whose share change reads as zero. With many
    councils it differs from maximum likelihood by little.

    Returns:
        The slope (log-odds per year), its standard error, and the mean of ``p (1 - p)`` at the
        fit (which turns the slope into a change of share per year).

    """
    x = np.column_stack([np.ones(len(years)), years - years.mean()])
    beta = np.zeros(2)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ beta)))
        weights = p * (1 - p)
        inverse = np.linalg.inv(x.T @ (x * weights[:, None]) + 1e-9 * np.eye(2))
        leverage = np.einsum("ij,jk,ik->i", x, inverse, x) * weights
        step = inverse @ (x.T @ (outcomes - p + leverage * (0.5 - p)))
        beta = beta + np.clip(step, -5, 5)
        if np.abs(step).max() < 1e-10:
            break
    p = 1 / (1 + np.exp(-(x @ beta)))
    information = x.T @ (x * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
    return float(beta[1]), float(math.sqrt(np.linalg.inv(information)[1, 1])), float((p * (1 - p)).mean())


def trend(years: list[int], outcomes: list[bool]) -> dict:
    """The trend of a share over years, from one 0/1 outcome per (council, year) inspected.

    Returns:
        ``slope`` and ``interval`` in share points per year (average marginal effect of a
        logistic regression on year), ``odds_ratio`` per year, and a ``sentence``: rose, fell,
        or cannot be told apart from no change (the interval spans zero).

    """
    distinct = sorted(set(years))
    if len(distinct) < MIN_YEARS or len(set(outcomes)) < 2:
        reason = (f"fewer than {MIN_YEARS} years" if len(distinct) < MIN_YEARS
                  else "the same outcome every time")
        return {"slope": None, "interval": None, "odds_ratio": None,
                "sentence": f"No trend can be estimated ({reason})."}
    slope, error, spread = logistic_slope(np.asarray(years, float), np.asarray(outcomes, float))
    low, high = (slope - Z * error) * spread, (slope + Z * error) * spread
    change = f"{100 * slope * spread:+.1f} points a year (95% CI {100 * low:+.1f} to {100 * high:+.1f})"
    if low > 0:
        verdict = "rose"
    elif high < 0:
        verdict = "fell"
    else:
        verdict = "cannot be told apart from no change"
    span = f"{distinct[0]}-{distinct[-1]}"
    return {"slope": slope * spread, "interval": [low, high], "odds_ratio": math.exp(slope),
            "sentence": f"The share of councils {verdict} over {span}: {change}."}
