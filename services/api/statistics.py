"""Rank correlation and its bootstrap interval, for validation against quota attainment. Pure: no I/O.

- ``spearman``: Spearman's rho, the Pearson correlation of the two samples' ranks, ties given their average
  rank (the usual "rho with ties" definition). None when it is undefined (fewer than 2 pairs, or one sample
  constant).
- ``bootstrap_interval``: the percentile bootstrap: ``resamples`` samples of the n pairs drawn with replacement
  by numpy's ``default_rng(seed)``, rho computed on each, and the 2.5th and 97.5th percentiles of those rhos (for a
  95% interval). Resamples where rho is undefined (every drawn value equal) are left out; when more than half
  are, the interval is None. The same data and seed always give the same interval.
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


def _row_ranks(a: np.ndarray) -> np.ndarray:
    """``ranks`` applied to every row of a 2-d array at once (average ranks for ties)."""
    rows, n = a.shape
    order = np.argsort(a, axis=1, kind="stable")
    s = np.take_along_axis(a, order, axis=1)
    positions = np.broadcast_to(np.arange(n), (rows, n))
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones((rows, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, positions, n - 1)[:, ::-1], axis=1)[:, ::-1]
    out = np.empty((rows, n))
    np.put_along_axis(out, order, (first + last) / 2 + 1, axis=1)
    return out


def _row_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson's r of every row pair; NaN where a row is constant."""
    dx = x - x.mean(axis=1, keepdims=True)
    dy = y - y.mean(axis=1, keepdims=True)
    sxx, syy = (dx * dx).sum(axis=1), (dy * dy).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (dx * dy).sum(axis=1) / np.sqrt(sxx * syy)
    r[(sxx <= 0) | (syy <= 0)] = np.nan
    return np.clip(r, -1.0, 1.0)


CELLS_PER_CHUNK = 1_000_000
"""Resamples are drawn and ranked in chunks of at most this many values, bounding the memory used."""


def bootstrap_interval(
    x: Sequence[float],
    y: Sequence[float],
    *,
    level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of Spearman's rho (see the module's docstring)."""
    n = len(x)
    if n < 2 or len(y) != n:
        return None
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    chunk = max(1, CELLS_PER_CHUNK // n)
    estimates = []
    for done in range(0, resamples, chunk):
        drawn = rng.integers(0, n, size=(min(chunk, resamples - done), n))
        estimates.append(_row_pearson(_row_ranks(xs[drawn]), _row_ranks(ys[drawn])))
    rhos = np.concatenate(estimates)
    rhos = np.sort(rhos[~np.isnan(rhos)])
    if len(rhos) * 2 < resamples:
        return None
    tail = (1 - level) / 2
    return percentile(rhos.tolist(), tail), percentile(rhos.tolist(), 1 - tail)
