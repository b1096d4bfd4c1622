"""Scores and explanations from the scored-event ledger, at any instant. Pure: rows in, numbers out.

Ledger rows arrive aggregated per (day, type, source): the same (Q, S) sums the scorer keeps per (day, type),
so a point-in-time score applies exactly the model's bucket formula, and a bucket's value is shared among
its sources in proportion to their S.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from shared.scoring import PILLARS, Score, ScoringModel, bucket_value, points

HORIZON_HALF_LIVES = 12
"""Ledger rows older than this many of the longest half-life are left out: they weigh under 0.03 %."""


@dataclass(frozen=True)
class LedgerRow:
    day: int
    type: str
    source: str
    quality: float
    decayed: float
    events: int


def horizon_days(model: ScoringModel) -> int:
    return int(HORIZON_HALF_LIVES * max(p.half_life_days for p in model.pillars.values())) + 1


def _buckets(rows: list[LedgerRow]) -> dict[tuple[int, str], tuple[float, float]]:
    sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        acc = sums[(r.day, r.type)]
        acc[0] += r.quality
        acc[1] += r.decayed
    return {k: (q, s) for k, (q, s) in sums.items()}


def values_at(model: ScoringModel, rows: list[LedgerRow], at: float) -> dict[str, float]:
    values = dict.fromkeys(PILLARS, 0.0)
    for (day, kind), (q, s) in _buckets(rows).items():
        activity = model.activities.get(kind)
        if activity is not None:
            values[activity.pillar] += bucket_value(model, kind, day, q, s, at)
    return values


def score_from_ledger(model: ScoringModel, rows: list[LedgerRow], at: float) -> Score:
    values = values_at(model, rows, at)
    pillars = {p: round(points(model, p, values[p]), 2) for p in PILLARS}
    return Score(pillars=pillars, total=round(sum(pillars.values()), 2))


@dataclass(frozen=True)
class Explained:
    pillar: str
    source: str
    type: str
    points: float
    events: int


def contributions(
    model: ScoringModel, rows: list[LedgerRow], at: float, since_day: int, pillar_points: dict[str, float]
) -> list[Explained]:
    """Points of each (pillar, source, type) from events on or after ``since_day``: each pillar's points are
    shared in proportion to the decayed value behind them; what older activity adds is not listed."""
    buckets = _buckets(rows)
    totals = values_at(model, rows, at)
    value: dict[tuple[str, str, str], float] = defaultdict(float)
    events: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in rows:
        activity = model.activities.get(r.type)
        if activity is None or r.day < since_day:
            continue
        q, s = buckets[(r.day, r.type)]
        key = (activity.pillar, r.source, r.type)
        value[key] += bucket_value(model, r.type, r.day, q, s, at) * (r.decayed / s if s else 0.0)
        events[key] += r.events
    out = [
        Explained(p, source, kind, round(pillar_points[p] * v / totals[p], 2) if totals[p] else 0.0, events[(p, source, kind)])
        for (p, source, kind), v in value.items()
    ]
    return sorted(out, key=lambda e: (-e.points, e.pillar, e.source, e.type))


EXPLAIN_DAYS = 30
"""An explanation lists the contributions of the events of this many days, up to the instant it explains."""
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Explanation:
    """Why a score is what it is at ``at``: the contributions of the last ``window_days`` by pillar, platform
    and activity type, and the change of the ledger's score over the 24 hours before ``at``."""

    window_days: int
    contributions: list[Explained]
    change_total: float
    change_pillars: dict[str, float]

    def to_json(self) -> dict:
        return {
            "window_days": self.window_days,
            "contributions": [c.__dict__ for c in self.contributions],
            "change_since_yesterday": {"total": self.change_total, "pillars": self.change_pillars},
        }


def explain(
    model: ScoringModel, rows: list[LedgerRow], earlier: list[LedgerRow], at: float, pillar_points: dict[str, float]
) -> Explanation:
    """``rows``: the ledger up to ``at``; ``earlier``: the ledger up to 24 hours before it; ``pillar_points``:
    the pillars of the score being explained (shared among the contributions)."""
    today = score_from_ledger(model, rows, at)
    yesterday = score_from_ledger(model, earlier, at - DAY_SECONDS)
    since_day = math.floor(at / DAY_SECONDS) - EXPLAIN_DAYS + 1
    return Explanation(
        window_days=EXPLAIN_DAYS,
        contributions=contributions(model, rows, at, since_day, pillar_points),
        change_total=round(today.total - yesterday.total, 2),
        change_pillars={p: round(today.pillars[p] - yesterday.pillars[p], 2) for p in PILLARS},
    )
