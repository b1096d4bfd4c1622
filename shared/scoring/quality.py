"""Quality of one activity: platform, decision maker or seniority of the counterpart, reach on a log scale."""

from __future__ import annotations

import math
from typing import Any

from shared.scoring.model import ScoringModel


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _field(data: dict[str, Any], path: str) -> Any:
    node: Any = {"data": data, "counterpart": data.get("counterpart")}
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def event_quality(model: ScoringModel, event_type: str, source: str, data: dict[str, Any] | None) -> float:
    """The multiplier of one event (> 0). Hints of the wrong type are ignored, not fatal."""
    activity = model.activities[event_type]
    data = data or {}
    quality = model.platform_multiplier(event_type, source)
    counterpart = data.get("counterpart") if isinstance(data.get("counterpart"), dict) else {}
    # the best of the hints given; 1 without any. A multiplier below 1 (ssi-v3: junior counterparts) applies
    # only when it is the best hint there is
    hints = []
    if "decision_maker" in activity.quality and counterpart.get("is_decision_maker") is True:
        hints.append(model.quality.decision_maker)
    if "seniority" in activity.quality and isinstance(counterpart.get("seniority"), str):
        hints.append(model.quality.seniority.get(counterpart["seniority"].strip().lower(), 1.0))
    quality *= max(hints) if hints else 1.0
    if "reach" in activity.quality and activity.reach_field:
        audience = _number(_field(data, activity.reach_field))
        if audience:
            q = model.quality
            quality *= min(q.reach_max, 1.0 + q.reach_gain * math.log10(1.0 + audience / q.reach_pivot))
    return quality
