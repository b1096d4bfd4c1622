"""Targets and progress towards them. Pure.

A **target** is a list of milestones ``{"score": 70, "by": "2027-06-01"}``, for the whole tenant or for one
team (a team's target overrides the tenant's). **Progress** of a current total with a recent trend (points per
day) towards a target, at a day ``today``:

- ``next``: the earliest milestone (by date, then score) whose score the total has not reached; when every
  milestone is reached, the last one, and the status is ``reached``;
- ``projected_date``: the first day the straight line ``total + trend * days`` reaches ``next.score``:
  ``today + ceil((score - total) / trend)`` days; null when the trend is not positive (or unknown);
- ``status``: ``reached``, else ``on_track`` when the projected date is on or before ``next.by``, else
  ``at_risk`` (a milestone whose date has passed unreached is always at risk).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_MILESTONES = 20
MAX_PROJECTION_DAYS = 3650
"""Further than ten years out is 'does not get there' (null): no date arithmetic past the calendar."""


@dataclass(frozen=True, order=True)
class Milestone:
    by: date
    score: float

    def to_json(self) -> dict:
        return {"score": self.score, "by": self.by.isoformat()}


def ordered(milestones: Sequence[Milestone]) -> list[Milestone]:
    return sorted(milestones)


def from_json(stored: list[dict]) -> list[Milestone]:
    return ordered([Milestone(date.fromisoformat(m["by"]), float(m["score"])) for m in stored])


def projected_date(total: float, trend_per_day: float | None, score: float, today: date) -> date | None:
    """The first day the trend line from ``total`` reaches ``score``; today when already there; None when a
    non-positive or unknown trend never gets there (or only after MAX_PROJECTION_DAYS)."""
    if total >= score:
        return today
    if trend_per_day is None or not math.isfinite(trend_per_day) or trend_per_day <= 0:
        return None
    needed = (score - total) / trend_per_day  # may overflow to inf for a tiny trend
    if not needed <= MAX_PROJECTION_DAYS:
        return None
    return today + timedelta(days=math.ceil(needed))


def progress(milestones: Sequence[Milestone], total: float, trend_per_day: float | None, today: date) -> dict | None:
    """{"next": {...}, "status": ..., "projected_date": ...}; None without milestones."""
    if not milestones:
        return None
    ordered_milestones = ordered(milestones)
    pending = [m for m in ordered_milestones if total < m.score]
    if not pending:
        return {"next": ordered_milestones[-1].to_json(), "status": "reached", "projected_date": None}
    nxt = pending[0]
    projected = projected_date(total, trend_per_day, nxt.score, today)
    status = "on_track" if projected is not None and projected <= nxt.by else "at_risk"
    return {"next": nxt.to_json(), "status": status,
            "projected_date": projected.isoformat() if projected is not None else None}


def shares_reached(milestones: Sequence[Milestone], ascending_totals: Sequence[float]) -> list[dict]:
    """For each milestone, the share (0-1) of the members whose total is at or above its score."""
    n = len(ascending_totals)
    out = []
    for m in ordered(milestones):
        at_or_above = n - bisect_left(ascending_totals, m.score)
        out.append({**m.to_json(), "reps": at_or_above, "share": round(at_or_above / n, 4) if n else 0.0})
    return out
