"""A rep's scoring state and the pure functions that update and read it.

Per activity type and UTC day the state keeps two sums over that day's events (i):
    Q = sum(q_i)                                  quality units, which saturate: g(Q) = cap * (1 - exp(-Q/cap))
    S = sum(q_i * 2^((t_i - day_start) / h))      the same units, each decayed from its own time
and the day's value at instant t is  weight * g(Q)/Q * S * 2^(-(t - day_start)/h)  (pillar half-life h).
Each event thus keeps its own timestamp and its share q_i/Q of the day's saturated return, and the result
depends only on the set of events, never on their order. Buckets more than ``late_window_days`` behind the
newest event are folded into one decayed value per pillar, so the state stays bounded (days x active types)
however many events arrive; an event arriving later than that window is scored on its own.
A pillar's value v maps to points with 25 * (1 - exp(-v / scale)): 0 for nothing, 25 never quite reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shared.scoring.model import PILLAR_MAX, PILLARS, ActivityParams, ScoringModel
from shared.scoring.quality import event_quality

DAY_SECONDS = 86_400.0


class Unscorable(ValueError):
    """The event cannot be scored by this model; the reason says why (it goes to the dead-letter topic)."""


class Outcome:
    """Marker: the type is a CRM outcome, kept for validation but not scored as activity."""


def _zero() -> dict[str, float]:
    return dict.fromkeys(PILLARS, 0.0)


@dataclass(frozen=True, slots=True)
class RepState:
    anchor: float = 0.0
    """Epoch seconds of the newest event applied; ``folded`` is expressed at this instant."""
    folded: dict[str, float] = field(default_factory=_zero)
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    """'<epoch day>|<type>' -> (Q, S) for days inside the late window."""
    seq: int = -1
    """Offset of the last input record applied: a replayed record at or below it is not applied again."""
    events: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "anchor": self.anchor,
            "folded": self.folded,
            "buckets": {k: [q, s] for k, (q, s) in self.buckets.items()},
            "seq": self.seq,
            "events": self.events,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> RepState:
        if not raw:
            return cls()
        return cls(
            anchor=float(raw["anchor"]),
            folded={p: float(raw.get("folded", {}).get(p, 0.0)) for p in PILLARS},
            buckets={k: (float(v[0]), float(v[1])) for k, v in raw.get("buckets", {}).items()},
            seq=int(raw["seq"]),
            events=int(raw["events"]),
        )


@dataclass(frozen=True, slots=True)
class Score:
    pillars: dict[str, float]
    total: float


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one event adds to its day's bucket; the ledger keeps it for explanations and ``at`` reads."""

    pillar: str
    day: int
    quality: float
    decayed: float


def classify(model: ScoringModel, event_type: str) -> type[Outcome] | str:
    """The pillar an activity type feeds, ``Outcome`` for CRM outcomes; raises ``Unscorable`` otherwise."""
    if event_type in model.outcomes:
        return Outcome
    params = model.activities.get(event_type)
    if params is None:
        raise Unscorable(f"type {event_type!r} is not in scoring model {model.version}")
    return params.pillar


def saturate(activity: ActivityParams, q: float) -> float:
    """g(Q): concave daily returns; the 200th reaction of a day adds almost nothing."""
    if activity.daily_cap is None:
        return q
    return activity.daily_cap * -math.expm1(-q / activity.daily_cap)


def bucket_value(model: ScoringModel, event_type: str, day: int, q: float, s: float, at: float) -> float:
    activity = model.activities[event_type]
    if q <= 0:
        return 0.0
    h = model.half_life_seconds(activity.pillar)
    return activity.weight * saturate(activity, q) / q * s * math.pow(2.0, -(at - day * DAY_SECONDS) / h)


def contribution(
    model: ScoringModel, *, event_type: str, source: str, event_time: float, data: dict[str, Any] | None
) -> Contribution:
    """Raises ``Unscorable`` for a type the model does not score as activity."""
    if classify(model, event_type) is Outcome:
        raise Unscorable(f"type {event_type!r} is an outcome, not an activity")
    activity = model.activities[event_type]
    q = event_quality(model, event_type, source, data)
    day = math.floor(event_time / DAY_SECONDS)
    h = model.half_life_seconds(activity.pillar)
    return Contribution(activity.pillar, day, q, q * math.pow(2.0, (event_time - day * DAY_SECONDS) / h))


def _split(key: str) -> tuple[int, str]:
    day, _, event_type = key.partition("|")
    return int(day), event_type


def apply_event(
    model: ScoringModel,
    state: RepState,
    *,
    event_type: str,
    source: str,
    event_time: float,
    seq: int,
    data: dict[str, Any] | None = None,
) -> RepState:
    """Add one activity to the state. Raises ``Unscorable`` for a type the model does not score."""
    c = contribution(model, event_type=event_type, source=source, event_time=event_time, data=data)
    return apply_contribution(model, state, c, event_type=event_type, event_time=event_time, seq=seq)


def apply_contribution(
    model: ScoringModel, state: RepState, c: Contribution, *, event_type: str, event_time: float, seq: int
) -> RepState:
    anchor = max(state.anchor, event_time) if state.events else event_time
    folded = {
        p: v * math.pow(2.0, -(anchor - state.anchor) / model.half_life_seconds(p)) if v else 0.0
        for p, v in state.folded.items()
    }
    buckets = dict(state.buckets)
    first_day = math.floor(anchor / DAY_SECONDS) - model.late_window_days
    if c.day < first_day:  # later than the window: scored on its own
        folded[c.pillar] += bucket_value(model, event_type, c.day, c.quality, c.decayed, anchor)
    else:
        key = f"{c.day}|{event_type}"
        q, s = buckets.get(key, (0.0, 0.0))
        buckets[key] = (q + c.quality, s + c.decayed)
    for key in [k for k in buckets if _split(k)[0] < first_day]:
        day, kind = _split(key)
        q, s = buckets.pop(key)
        folded[model.activities[kind].pillar] += bucket_value(model, kind, day, q, s, anchor)
    return RepState(anchor=anchor, folded=folded, buckets=buckets, seq=max(seq, state.seq), events=state.events + 1)


def pillar_values(model: ScoringModel, state: RepState, at: float) -> dict[str, float]:
    """Decayed activity value per pillar at epoch-seconds ``at`` (before the 0-25 curve)."""
    values = {
        p: v * math.pow(2.0, -(at - state.anchor) / model.half_life_seconds(p)) if v else 0.0
        for p, v in state.folded.items()
    }
    for key, (q, s) in state.buckets.items():
        day, kind = _split(key)
        activity = model.activities.get(kind)
        if activity is not None:
            values[activity.pillar] += bucket_value(model, kind, day, q, s, at)
    return values


def points(model: ScoringModel, pillar: str, value: float) -> float:
    return PILLAR_MAX * -math.expm1(-max(value, 0.0) / model.pillars[pillar].scale)  # type: ignore[index]


def evaluate(model: ScoringModel, state: RepState, at: float) -> Score:
    """The score at epoch-seconds ``at``: decay applied from each event's time, then the saturating curve."""
    values = pillar_values(model, state, at)
    pillars = {p: round(points(model, p, values[p]), 2) for p in PILLARS}
    return Score(pillars=pillars, total=round(sum(pillars.values()), 2))
