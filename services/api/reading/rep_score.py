"""A rep's score read: now (the stored snapshot evaluated with decay, ranks, explanation) or at an instant in
the past (from the ledger alone).

Vocabulary (one name per concept):
- a **snapshot** is the scorer's record of a rep's state (``shared.scores.ScoreSnapshot`` on Kafka, a row of
  ``rep_scores`` in Postgres); ``evaluate_snapshot`` gives its score at an instant (decay keeps running);
- the **ledger** is every scored event (``scored_events``); ``score_from_ledger`` gives a score at any instant
  from it, and ``explain`` what makes it up;
- the **scoring model** (``ScoringModel``) is the versioned data file both apply.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.api import repository
from services.api.reading.ranks import CohortCounts, RankPolicy, ranks
from services.api.reading.snapshots import evaluate_snapshot
from shared.db.ledger import ledger_until
from shared.scoring import ScoringModel
from shared.scoring.ledger import DAY_SECONDS, explain, horizon_days, score_from_ledger


def _first_day(model: ScoringModel, at: datetime) -> int:
    return int(at.timestamp() // DAY_SECONDS) - horizon_days(model)


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


async def read_now(
    conn: AsyncConnection, *, model: ScoringModel, policy: RankPolicy, tenant_id: str, rep_id: str,
    now: datetime | None = None,
) -> dict | None:
    """The rep's score now, or None when the tenant has no score for the rep."""
    now = now or datetime.now(UTC)
    row = await repository.current_score(conn, tenant_id, rep_id)
    if row is None:
        return None
    score = evaluate_snapshot(model, row, now)
    rows, earlier = await ledger_until(conn, tenant_id, rep_id, model_version=model.version,
                                       first_day=_first_day(model, now), until=now)
    explanation = explain(model, rows, earlier, now.timestamp(), score.pillars)
    counts = await live_counts(conn, tenant_id, rep_id, row["total"])
    return {
        "rep_id": rep_id, "total": score.total, "pillars": score.pillars, "as_of": now,
        "model_version": row["model_version"], "updated_at": row["as_of"], "events": row["events"],
        "ranks": ranks(counts, policy), "explanation": explanation.to_json(),
    }


async def read_at(conn: AsyncConnection, *, model: ScoringModel, tenant_id: str, rep_id: str, at: datetime) -> dict | None:
    """The rep's score at a past instant, from the ledger: decay applied up to it, later events ignored; no
    ranks (they are kept for now only)."""
    row = await repository.current_score(conn, tenant_id, rep_id)
    if row is None:
        return None
    rows, earlier = await ledger_until(conn, tenant_id, rep_id, model_version=model.version,
                                       first_day=_first_day(model, at), until=at)
    score = score_from_ledger(model, rows, at.timestamp())
    explanation = explain(model, rows, earlier, at.timestamp(), score.pillars)
    return {
        "rep_id": rep_id, "total": score.total, "pillars": score.pillars, "as_of": at,
        "model_version": row["model_version"], "updated_at": row["as_of"], "events": sum(r.events for r in rows),
        "ranks": None, "explanation": explanation.to_json(),
    }
