"""Scores and explanations from the scored-event ledger, at any instant. Pure: rows in, numbers out.

Ledger rows arrive aggregated per (day, type, source): the same (Q, S) sums the scorer keeps per (day, type),
so a point-in-time score applies exactly the model's bucket formula, and a bucket's value is shared among
its sources in proportion to their S.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from shared.scoring import PILLARS, Score, ScoringModel, points
from shared.scoring.state import Basis, RateReading, combine, day_values, rate_readings, terms_from_days, type_worth

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
    return int(HORIZON_HALF_LIVES * model.horizon_half_life_days()) + 1


def _days(rows: list[LedgerRow]) -> dict[int, dict[str, tuple[float, float, int]]]:
    sums: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for r in rows:
        acc = sums[r.day].setdefault(r.type, [0.0, 0.0, 0])
        acc[0] += r.quality
        acc[1] += r.decayed
        acc[2] += r.events
    return {d: {t: (q, s, int(n)) for t, (q, s, n) in types.items()} for d, types in sums.items()}


def values_at(model: ScoringModel, rows: list[LedgerRow], at: float) -> dict[str, float]:
    """Pillar values at ``at`` from the ledger: the model's own formulas (daily caps and budgets, and for
    ssi-v3 the rate counters rebuilt from the events' days and counts)."""
    return combine(model, terms_from_days(model, _days(rows), at))


def rates_at(model: ScoringModel, rows: list[LedgerRow], at: float) -> list[RateReading]:
    """The response rates behind the score at ``at`` (ssi-v3; empty for a model without rates)."""
    return rate_readings(model, Basis(anchor=at, values=terms_from_days(model, _days(rows), at)), at)


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
    days = _days(rows)
    terms = terms_from_days(model, days, at)
    totals = combine(model, terms)
    worth = type_worth(model, terms)
    per_day = {d: day_values(model, d, {t: (q, s) for t, (q, s, _) in sums.items()}, at) for d, sums in days.items()}
    value: dict[tuple[str, str, str], float] = defaultdict(float)
    events: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in rows:
        activity = model.activities.get(r.type)
        if activity is None or r.day < since_day:
            continue
        s = days[r.day][r.type][1]
        key = (activity.pillar, r.source, r.type)
        value[key] += per_day[r.day].get(r.type, 0.0) * worth[r.type] * (r.decayed / s if s else 0.0)
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
    rates: list[RateReading]
    """ssi-v3: the response rate that scaled each channel's one-way activity at ``at`` (empty for ssi-v2)."""

    def to_json(self) -> dict:
        return {
            "window_days": self.window_days,
            "contributions": [c.__dict__ for c in self.contributions],
            "change_since_yesterday": {"total": self.change_total, "pillars": self.change_pillars},
            "rates": [{"channel": r.channel, "line": r.line(), "asked": round(r.asked, 2),
                       "answered": round(r.answered, 2), "rate": round(r.rate, 4), "worth": round(r.worth, 4)}
                      for r in self.rates],
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
        rates=rates_at(model, rows, at),
    )
