"""Turning stored snapshots into scores at an instant: decay keeps running between events. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from shared.scoring import PILLARS, Score, ScoringModel, evaluate, load_packaged_model, stored_basis
from shared.scoring.model import PACKAGED_VERSIONS


@cache
def _packaged(version: str) -> ScoringModel:
    return load_packaged_model(f"{version}.toml")


def model_to_read(active: ScoringModel, requested: str | None) -> ScoringModel:
    """The model whose rows a read shows: the active one by default, or another packaged version (during a
    switch both versions' rows are kept, migration 0012). Raises ValueError naming the versions there are."""
    if requested is None or requested == active.version:
        return active
    if requested not in PACKAGED_VERSIONS:
        known = sorted({active.version, *PACKAGED_VERSIONS})
        raise ValueError(f"model {requested!r} is not a model version; one of {known}")
    return _packaged(requested)


def evaluate_snapshot(model: ScoringModel, row: dict[str, Any], at: datetime) -> Score:
    """Evaluate a stored state at ``at``; a snapshot from another model version is returned as stored."""
    if row["model_version"] != model.version:
        return Score(pillars={p: float(row[p]) for p in PILLARS}, total=float(row["total"]))
    return evaluate(model, stored_basis(model, row["state"]), at.timestamp())


def end_of_day(day: date, now: datetime) -> datetime:
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    return min(end, now)
