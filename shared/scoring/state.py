"""A rep's scoring state and the pure functions that update and read it.

The state is constant in size: one decayed activity value per pillar, all expressed at one anchor time
(the latest event time seen). Adding an event is a sum of decayed contributions, so the result does not
depend on the order in which events arrive (up to floating-point rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shared.scoring.model import PILLAR_MAX, PILLARS, ScoringModel

DAY_SECONDS = 86_400.0


class Unscorable(ValueError):
    """The event cannot be scored by this model; the reason says why (it goes to the dead-letter topic)."""


class Outcome:
    """Marker: the type is a CRM outcome, kept for validation but not scored as activity."""


@dataclass(frozen=True, slots=True)
class RepState:
    values: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PILLARS, 0.0))
    anchor: float = 0.0
    """Epoch seconds at which ``values`` are expressed (the latest event time applied)."""
    seq: int = -1
    """Offset of the last input record applied: a replayed record at or below it is not applied again."""
    events: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"values": self.values, "anchor": self.anchor, "seq": self.seq, "events": self.events}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> RepState:
        if not raw:
            return cls()
        return cls(
            values={p: float(raw["values"].get(p, 0.0)) for p in PILLARS},
            anchor=float(raw["anchor"]),
            seq=int(raw["seq"]),
            events=int(raw["events"]),
        )


@dataclass(frozen=True, slots=True)
class Score:
    pillars: dict[str, float]
    total: float


def _decay(model: ScoringModel, pillar: str, seconds: float) -> float:
    half_life = model.pillars[pillar].half_life_days * DAY_SECONDS  # type: ignore[index]
    return math.pow(2.0, -seconds / half_life)


def classify(model: ScoringModel, event_type: str) -> type[Outcome] | str:
    """The pillar an activity type feeds, ``Outcome`` for CRM outcomes; raises ``Unscorable`` otherwise."""
    if event_type in model.outcomes:
        return Outcome
    params = model.activities.get(event_type)
    if params is None:
        raise Unscorable(f"type {event_type!r} is not in scoring model {model.version}")
    return params.pillar


def apply_event(
    model: ScoringModel, state: RepState, *, event_type: str, source: str, event_time: float, seq: int
) -> RepState:
    """Add one activity to the state. Raises ``Unscorable`` for a type the model does not score."""
    pillar = classify(model, event_type)
    if pillar is Outcome:
        raise Unscorable(f"type {event_type!r} is an outcome, not an activity")
    weight = model.activities[event_type].weight * model.source_multiplier(source)
    anchor = max(state.anchor, event_time) if state.events else event_time
    values = {}
    for p in PILLARS:
        value = state.values[p] * _decay(model, p, anchor - state.anchor) if state.events else 0.0
        if p == pillar:
            value += weight * _decay(model, p, anchor - event_time)
        values[p] = value
    return RepState(values=values, anchor=anchor, seq=max(seq, state.seq), events=state.events + 1)


def evaluate(model: ScoringModel, state: RepState, at: float) -> Score:
    """The score at epoch-seconds ``at``: decay applied from the anchor, then the saturating curve."""
    pillars = {}
    for p in PILLARS:
        params = model.pillars[p]  # type: ignore[index]
        decayed = state.values[p] * _decay(model, p, at - state.anchor) if state.events else 0.0
        pillars[p] = round(PILLAR_MAX * (1.0 - math.exp(-decayed / params.scale)), 2)
    return Score(pillars=pillars, total=round(sum(pillars.values()), 2))
