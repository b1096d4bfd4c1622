"""Turning stored snapshots into scores at an instant: decay keeps running between events. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.scoring import PILLARS, Score, ScoringModel, evaluate, stored_basis


def evaluate_snapshot(model: ScoringModel, row: dict[str, Any], at: datetime) -> Score:
    """Evaluate a stored state at ``at``; a snapshot from another model version is returned as stored."""
    if row["model_version"] != model.version:
        return Score(pillars={p: float(row[p]) for p in PILLARS}, total=float(row["total"]))
    return evaluate(model, stored_basis(model, row["state"]), at.timestamp())


def end_of_day(day: date, now: datetime) -> datetime:
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    return min(end, now)
