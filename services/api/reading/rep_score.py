"""A rep's score read: now (the stored snapshot evaluated with decay, with its precomputed ranks, explanation
and target progress) or at an instant in the past (from the ledger alone).

Vocabulary (one name per concept):
- a **snapshot** is the scorer's record of a rep's state (``shared.scores.ScoreSnapshot`` on Kafka, a row of
  ``rep_scores`` in Postgres); ``evaluate_snapshot`` gives its score at an instant (decay keeps running);
- the **ledger** is every scored event (``scored_events``); ``score_from_ledger`` gives a score at any instant
  from it, and ``explain`` what makes it up;
- the **scoring model** (``ScoringModel``) is the versioned data file both apply;
- the **read models** (``rep_standings``, ``rep_explanations``, ``team_stats``, ...) are what the sink derives
  from the snapshots for these reads (services/scorer/sink/read_models.py).

A read now is one statement of primary-key lookups. Until the sink's first pass after a rep's first snapshot
(within SSI_SINK_READ_MODEL_SECONDS) its ranks are counted live, and until its explanation is computed for
the current snapshot it is computed from the ledger, as a read with ``at`` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.api import repository
from services.api.reading import read_models, targets
from services.api.reading.ranks import CohortCounts, RankPolicy, ranks
from services.api.reading.snapshots import evaluate_snapshot
from shared.db.ledger import ledger_until
from shared.scoring import ScoringModel
from shared.scoring.ledger import DAY_SECONDS, explain, horizon_days, score_from_ledger


def _first_day(model: ScoringModel, at: datetime) -> int:
    return int(at.timestamp() // DAY_SECONDS) - horizon_days(model)


def stored_counts(row: dict[str, Any]) -> CohortCounts | None:
    """The cohort counts of a ``rep_standings`` row (None when the rep has none yet)."""
    if row.get("ranked_at") is None:
        return None
    return CohortCounts(
        team=None if row["team_size"] is None else (row["team_below"], row["team_size"]),
        tenant=(row["tenant_below"], row["tenant_size"]),
        industry=None if row["industry_size"] is None else (
            row["industry_below"], row["industry_size"], row["industry_tenants"]),
    )


async def live_counts(conn: AsyncConnection, tenant_id: str, rep_id: str, total: float) -> CohortCounts:
    rep = await repository.get_rep(conn, tenant_id, rep_id)
    industry = None
    if rep and rep.get("industry"):
        industry = await repository.industry_counts(conn, total, tenant_id, rep["industry"])
    return CohortCounts(
        team=await repository.rank_counts(conn, total, "team", tenant_id, rep),
        tenant=await repository.rank_counts(conn, total, "tenant", tenant_id, rep),
        industry=industry,
    )


def target_progress(row: dict[str, Any], total: float, today: Any) -> dict | None:
    milestones = row.get("milestones")
    if not milestones:
        return None
    return targets.progress(targets.from_json(milestones), total, row.get("trend_per_day"), today)


async def read_now(
    conn: AsyncConnection, *, model: ScoringModel, policy: RankPolicy, tenant_id: str, rep_id: str,
    now: datetime | None = None,
) -> dict | None:
    """The rep's score now, or None when the tenant has no score for the rep."""
    now = now or datetime.now(UTC)
    row = await read_models.current(conn, tenant_id, rep_id)
    if row is None:
        return None
    score = evaluate_snapshot(model, row, now)
    if row["explained_seq"] == row["seq"] and row["explained_model"] == row["model_version"]:
        explanation = {**row["explanation"], "as_of": row["explained_at"]}
    else:
        ledger, earlier = await ledger_until(conn, tenant_id, rep_id, model_version=model.version,
                                             first_day=_first_day(model, now), until=now)
        explanation = {**explain(model, ledger, earlier, now.timestamp(), score.pillars).to_json(), "as_of": now}
    counts = stored_counts(row)
    ranked_at = row["ranked_at"]
    if counts is None:
        counts, ranked_at = await live_counts(conn, tenant_id, rep_id, row["total"]), now
    return {
        "rep_id": rep_id, "total": score.total, "pillars": score.pillars, "as_of": now,
        "model_version": row["model_version"], "updated_at": row["as_of"], "events": row["events"],
        "ranks": {**ranks(counts, policy), "as_of": ranked_at}, "explanation": explanation,
        "target": target_progress(row, score.total, now.date()),
    }


async def read_at(conn: AsyncConnection, *, model: ScoringModel, tenant_id: str, rep_id: str, at: datetime) -> dict | None:
    """The rep's score at a past instant, from the ledger: decay applied up to it, later events ignored; no
    ranks and no target (they are kept for now only)."""
    row = await repository.current_score(conn, tenant_id, rep_id)
    if row is None:
        return None
    ledger, earlier = await ledger_until(conn, tenant_id, rep_id, model_version=model.version,
                                         first_day=_first_day(model, at), until=at)
    score = score_from_ledger(model, ledger, at.timestamp())
    explanation = explain(model, ledger, earlier, at.timestamp(), score.pillars)
    return {
        "rep_id": rep_id, "total": score.total, "pillars": score.pillars, "as_of": at,
        "model_version": row["model_version"], "updated_at": row["as_of"], "events": sum(r.events for r in ledger),
        "ranks": None, "explanation": {**explanation.to_json(), "as_of": at}, "target": None,
    }
