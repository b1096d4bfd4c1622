"""Rank correlation and its bootstrap interval, for validation against quota attainment. Pure: no I/O.

- ``spearman``: Spearman's rho, the Pearson correlation of the two samples' ranks, ties given their average
  rank (the usual "rho with ties" definition). None when it is undefined (fewer than 2 pairs, or one sample
  constant).
- ``bootstrap_intervals``: the percentile bootstrap: ``resamples`` samples of the n pairs drawn with replacement
  (multinomial counts from numpy's ``default_rng(seed)``), rho computed on each, and the 2.5th and 97.5th
  percentiles of those rhos (for a 95% interval). Every measure paired with the same ``y`` uses the same
  resamples. Resamples where rho is undefined (every drawn value equal) are left out; when more than half are,
  the interval is None. The same data and seed always give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20261126
"""Fixed, so that the same data always give the same interval (documented in the README)."""


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they occupy."""
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    out = [0.0] * n
    i = 0
    while i < n:
        j = i
        first = values[order[i]]
        while j + 1 < n and values[order[j + 1]] == first:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            out[order[k]] = rank
        i = j + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sxx = syy = 0.0
    for a, b in zip(x, y):
        da, db = a - mx, b - my
        sxy += da * db
        sxx += da * da
        syy += db * db
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho of paired samples (same length, finite values)."""
    if len(x) != len(y):
        raise ValueError("the two samples must pair up (same length)")
    if any(not math.isfinite(v) for v in (*x, *y)):
        raise ValueError("values must be finite")
    return pearson(ranks(x), ranks(y))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default), ``q`` in [0, 1]."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def resample_weights(n: int, resamples: int, seed: int) -> np.ndarray:
    """How many times each of the n pairs is drawn in each resample: (resamples, n). Drawing n pairs with
    replacement is drawing these counts from the multinomial of n trials over n equal cells."""
    return np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float)


def resample_ranks(values: Sequence[float], weights: np.ndarray) -> np.ndarray:
    """The average rank each pair's value takes in each resample (ties, repeats included, share their mean
    rank), without sorting: resampled values are the original ones, so ranks follow from counts per distinct
    value. (resamples, n)."""
    _, codes = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    counts = np.add.reduceat(weights[:, order], starts, axis=1)  # (resamples, distinct values): drawn of each
    below = np.cumsum(counts, axis=1) - counts
    return (below + (counts + 1) / 2)[:, codes]


def _weighted_rho(rx: np.ndarray, ry: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pearson's r of the ranks of every resample (each pair counted as often as drawn); NaN where a resample's
    values are all equal. The mean rank of n values is (n + 1) / 2 whatever the ties."""
    middle = (weights.sum(axis=1, keepdims=True) + 1) / 2
    dx, dy = rx - middle, ry - middle
    sxx, syy = (weights * dx * dx).sum(axis=1), (weights * dy * dy).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (weights * dx * dy).sum(axis=1) / np.sqrt(sxx * syy)
    r[(sxx <= 1e-12) | (syy <= 1e-12)] = np.nan
    return np.clip(r, -1.0, 1.0)


def bootstrap_intervals(
    measures: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> list[tuple[float, float] | None]:
    """The percentile bootstrap interval of Spearman's rho between each measure and ``y`` (all paired with
    ``y``), from the same resamples of the pairs (see the module's docstring)."""
    n = len(y)
    if n < 2 or any(len(x) != n for x in measures):
        return [None for _ in measures]
    weights = resample_weights(n, resamples, seed)
    ry = resample_ranks(y, weights)
    tail = (1 - level) / 2
    out: list[tuple[float, float] | None] = []
    for x in measures:
        rhos = _weighted_rho(resample_ranks(x, weights), ry, weights)
        rhos = np.sort(rhos[~np.isnan(rhos)])
        if len(rhos) * 2 < resamples:
            out.append(None)
            continue
        values = rhos.tolist()
        out.append((percentile(values, tail), percentile(values, 1 - tail)))
    return out


def bootstrap_interval(
    x: Sequence[float],
    y: Sequence[float],
    *,
    level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of Spearman's rho of one measure (see the module's docstring)."""
    if len(x) != len(y):
        return None
    return bootstrap_intervals([x], y, level=level, resamples=resamples, seed=seed)[0]
