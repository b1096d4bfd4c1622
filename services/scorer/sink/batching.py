"""Collapse a batch of snapshots to the newest per rep and per rep-day: pure, so order and repeats don't matter."""

from __future__ import annotations

from shared.scores import ScoreSnapshot


def newest_per_rep(snapshots: list[ScoreSnapshot]) -> list[ScoreSnapshot]:
    best: dict[tuple[str, str, str], ScoreSnapshot] = {}
    for s in snapshots:
        key = (s.tenant_id, s.rep_id, s.model_version)  # each version keeps its own row
        if key not in best or best[key].seq < s.seq:
            best[key] = s
    return list(best.values())


def newest_per_rep_day(snapshots: list[ScoreSnapshot]) -> list[ScoreSnapshot]:
    best: dict[tuple[str, str, str, object], ScoreSnapshot] = {}
    for s in snapshots:
        key = (s.tenant_id, s.rep_id, s.model_version, s.as_of.date())
        if key not in best or best[key].seq < s.seq:
            best[key] = s
    return list(best.values())
