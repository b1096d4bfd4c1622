"""A team's aggregates from its members' scores: size, mean, median and p90 of the total and of each pillar,
the distribution of totals in 10-point bins. Pure.

A directory rep of the team without a score counts as 0 (as in the ranks). Percentiles interpolate linearly
between the two nearest members (Postgres' percentile_cont, numpy's default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from shared.scoring import PILLARS

KEYS = ("total", *PILLARS)
BIN_POINTS = 10
BINS = 10


def percentile(ordered: Sequence[float], share: float) -> float:
    """The ``share`` (0-1) percentile of ascending values, interpolated linearly; 0 for none."""
    if not ordered:
        return 0.0
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bins(totals: Sequence[float]) -> list[dict]:
    """Counts of totals in [0, 10), [10, 20), ... [90, 100] (100 falls in the last bin)."""
    counts = [0] * BINS
    for total in totals:
        counts[min(BINS - 1, max(0, int(total // BIN_POINTS)))] += 1
    return [{"from": i * BIN_POINTS, "to": (i + 1) * BIN_POINTS, "reps": n} for i, n in enumerate(counts)]


@dataclass(frozen=True)
class Member:
    total: float | None
    pillars: dict[str, float] | None
    trend_per_day: float | None


@dataclass(frozen=True)
class TeamAggregate:
    size: int
    scored: int
    stats: dict
    totals: list[float]
    trend_per_day: float | None


def _round(value: float) -> float:
    return round(value, 2)


def aggregate(members: Sequence[Member]) -> TeamAggregate:
    values: dict[str, list[float]] = {k: [] for k in KEYS}
    for m in members:
        values["total"].append(m.total or 0.0)
        for p in PILLARS:
            values[p].append(m.pillars[p] if m.pillars else 0.0)
    stats: dict = {}
    for key, column in values.items():
        column.sort()
        stats[key] = {
            "mean": _round(sum(column) / len(column)) if column else 0.0,
            "median": _round(percentile(column, 0.5)),
            "p90": _round(percentile(column, 0.9)),
        }
    stats["bins"] = bins(values["total"])
    trends = [m.trend_per_day or 0.0 for m in members]
    return TeamAggregate(
        size=len(members),
        scored=sum(m.total is not None for m in members),
        stats=stats,
        totals=values["total"],
        trend_per_day=round(sum(trends) / len(trends), 4) if trends else None,
    )
