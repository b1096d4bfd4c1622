"""The api's read models, kept by the sink as scores change: every ``SSI_SINK_READ_MODEL_SECONDS`` one pass
re-derives them from ``rep_scores`` and the directory, so that a score read, a leaderboard page or a team read
is one primary-key or index lookup.

- ``rep_standings``: each scored rep's cohort counts (team, tenant, other tenants' industry), from which the
  api forms its ranks, and its recent trend (every ``SSI_SINK_TREND_SECONDS``): the least-squares slope, in
  points per day, of its daily points over the last 28 days, each day before today its last snapshot's total
  (``rep_score_daily``), today its current stored total; null with fewer than two points. Every pass counts
  every rep, but writes only the rows whose counts (or trend) moved: ``refreshed_at`` is the start of the pass
  that last changed the rep's counts. A row left as it was is neither rewritten nor logged for the api's page
  cache (read_model_writes, migration 0015), so a tenant whose reps did not move keeps its kept pages; the
  sink's ``ssi_sink_read_model_pass_timestamp_seconds`` says when the last pass started.
- ``rep_explanations``: the explanation of each rep's current snapshot, computed once per new snapshot (and
  again when older than ``SSI_SINK_EXPLANATION_MAX_AGE_SECONDS``), at most ``SSI_SINK_EXPLANATIONS_PER_PASS``
  per pass, the reps without one first.
- ``team_stats`` and ``team_daily`` (today's row, rewritten at each pass: a past day keeps its last pass).

Counts are taken over the stored totals (``rep_scores.total``: the scorer's last snapshot, or the decay
refresh's re-read), as the leaderboard sorts them.
"""

from __future__ import annotations

import asyncio

from collections import defaultdict
from datetime import datetime, timedelta

import orjson
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scorer.sink.team_aggregates import Member, aggregate
from shared.db.ledger import ledgers_until
from shared.db.schema import rep_explanations, team_daily, team_stats
from shared.scoring import PILLARS, ScoringModel, evaluate, stored_basis
from shared.scoring.ledger import DAY_SECONDS, explain, horizon_days

TREND_DAYS = 28

_STANDINGS = text(
    """
    WITH members AS (
        SELECT coalesce(r.tenant_id, s.tenant_id) AS tenant_id, coalesce(r.rep_id, s.rep_id) AS rep_id,
               r.team, r.industry, coalesce(s.total, 0.0) AS total, s.rep_id IS NOT NULL AS scored
        FROM reps r FULL OUTER JOIN (SELECT * FROM rep_scores WHERE model_version = :model_version) s
             ON s.tenant_id = r.tenant_id AND s.rep_id = r.rep_id
    ), within AS (
        SELECT tenant_id, rep_id, team, total, scored,
               rank() OVER (PARTITION BY tenant_id, team ORDER BY total) - 1 AS team_below,
               count(*) OVER (PARTITION BY tenant_id, team) AS team_size,
               rank() OVER (PARTITION BY tenant_id ORDER BY total) - 1 AS tenant_below,
               count(*) OVER (PARTITION BY tenant_id) AS tenant_size
        FROM members
    ), industry AS (
        SELECT tenant_id, rep_id, industry,
               rank() OVER (PARTITION BY industry ORDER BY total)
                 - rank() OVER (PARTITION BY industry, tenant_id ORDER BY total) AS below,
               count(*) OVER (PARTITION BY industry) - count(*) OVER (PARTITION BY industry, tenant_id) AS size
        FROM members WHERE scored AND industry IS NOT NULL
    ), industry_tenants AS (
        SELECT industry, count(DISTINCT tenant_id) - 1 AS others
        FROM members WHERE scored AND industry IS NOT NULL GROUP BY industry
    )
    INSERT INTO rep_standings (tenant_id, rep_id, total, team_below, team_size, tenant_below, tenant_size,
                               industry_below, industry_size, industry_tenants, refreshed_at)
    SELECT w.tenant_id, w.rep_id, w.total,
           CASE WHEN w.team IS NOT NULL THEN w.team_below END, CASE WHEN w.team IS NOT NULL THEN w.team_size END,
           w.tenant_below, w.tenant_size, i.below, i.size, t.others, :now
    FROM within w LEFT JOIN industry i ON i.tenant_id = w.tenant_id AND i.rep_id = w.rep_id
         LEFT JOIN industry_tenants t ON t.industry = i.industry
    WHERE w.scored
    ON CONFLICT (tenant_id, rep_id) DO UPDATE SET
        total = EXCLUDED.total, team_below = EXCLUDED.team_below, team_size = EXCLUDED.team_size,
        tenant_below = EXCLUDED.tenant_below, tenant_size = EXCLUDED.tenant_size,
        industry_below = EXCLUDED.industry_below, industry_size = EXCLUDED.industry_size,
        industry_tenants = EXCLUDED.industry_tenants, refreshed_at = EXCLUDED.refreshed_at
    WHERE (rep_standings.total, rep_standings.team_below, rep_standings.team_size, rep_standings.tenant_below,
           rep_standings.tenant_size, rep_standings.industry_below, rep_standings.industry_size,
           rep_standings.industry_tenants)
          IS DISTINCT FROM (EXCLUDED.total, EXCLUDED.team_below, EXCLUDED.team_size, EXCLUDED.tenant_below,
                            EXCLUDED.tenant_size, EXCLUDED.industry_below, EXCLUDED.industry_size,
                            EXCLUDED.industry_tenants)
    """
)
_STANDINGS_GONE = text(
    "DELETE FROM rep_standings st WHERE NOT EXISTS "
    "(SELECT 1 FROM rep_scores s WHERE s.tenant_id = st.tenant_id AND s.rep_id = st.rep_id "
    "AND s.model_version = :model_version)"
)
_TRENDS = text(
    """
    WITH points AS (
        SELECT tenant_id, rep_id, day, total FROM rep_score_daily
        WHERE model_version = :model_version AND day >= :first AND day < :today
        UNION ALL
        SELECT tenant_id, rep_id, CAST(:today AS date), total FROM rep_scores WHERE model_version = :model_version
    ), fit AS (
        SELECT tenant_id, rep_id, regr_slope(total, CAST(day - CAST(:today AS date) AS float8)) AS slope,
               count(*) AS n
        FROM points GROUP BY tenant_id, rep_id
    )
    UPDATE rep_standings st SET trend_per_day = round(CAST(fit.slope AS numeric), 4), trend_days = fit.n
    FROM fit WHERE st.tenant_id = fit.tenant_id AND st.rep_id = fit.rep_id
      AND (st.trend_per_day, st.trend_days) IS DISTINCT FROM (round(CAST(fit.slope AS numeric), 4), fit.n)
    """
)
_MEMBERS = text(
    """
    SELECT r.tenant_id, r.team, s.total, s.brand, s.people, s.insights, s.relationships, st.trend_per_day
    FROM reps r
    LEFT JOIN rep_scores s ON s.tenant_id = r.tenant_id AND s.rep_id = r.rep_id AND s.model_version = :model_version
    LEFT JOIN rep_standings st ON st.tenant_id = r.tenant_id AND st.rep_id = r.rep_id
    WHERE r.team IS NOT NULL
    """
)


async def refresh_standings(conn: AsyncConnection, now: datetime, *, trends: bool, model_version: str) -> None:
    """Ranks and trends of the active model version's scores (rows are kept per version, migration 0012)."""
    await conn.execute(_STANDINGS, {"now": now, "model_version": model_version})
    await conn.execute(_STANDINGS_GONE, {"model_version": model_version})
    if trends:
        today = now.date()
        await conn.execute(_TRENDS, {"today": today, "first": today - timedelta(days=TREND_DAYS - 1),
                                     "model_version": model_version})


async def refresh_teams(conn: AsyncConnection, now: datetime, *, model_version: str) -> int:
    """Rewrite every team's aggregates (of the active model version's scores) and today's trend point; drop
    the teams that no longer exist."""
    members: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for tenant_id, team, total, *rest in (await conn.execute(_MEMBERS, {"model_version": model_version})).all():
        pillars = dict(zip(PILLARS, rest[:4], strict=True)) if total is not None else None
        members[(str(tenant_id), team)].append(Member(total, pillars, rest[4]))
    rows = []
    for (tenant_id, team), group in members.items():
        agg = aggregate(group)
        rows.append({"tenant_id": tenant_id, "team": team, "size": agg.size, "scored": agg.scored,
                     "stats": agg.stats, "totals": agg.totals, "trend_per_day": agg.trend_per_day,
                     "refreshed_at": now})
    if rows:
        stmt = insert(team_stats)
        await conn.execute(stmt.on_conflict_do_update(
            index_elements=[team_stats.c.tenant_id, team_stats.c.team],
            set_={c: stmt.excluded[c] for c in ("size", "scored", "stats", "totals", "trend_per_day", "refreshed_at")},
        ), rows)
        daily = insert(team_daily)
        await conn.execute(daily.on_conflict_do_update(
            index_elements=[team_daily.c.tenant_id, team_daily.c.team, team_daily.c.day],
            set_={c: daily.excluded[c] for c in ("size", "stats", "refreshed_at")},
        ), [{"tenant_id": r["tenant_id"], "team": r["team"], "day": now.date(), "size": r["size"],
             "stats": r["stats"], "refreshed_at": now} for r in rows])
    await conn.execute(team_stats.delete().where(team_stats.c.refreshed_at < bindparam("now")), {"now": now})
    return len(rows)


_STALE_EXPLANATIONS = text(
    """
    SELECT s.tenant_id, s.rep_id, s.seq, s.state
    FROM rep_scores s
    LEFT JOIN rep_explanations e ON e.tenant_id = s.tenant_id AND e.rep_id = s.rep_id
    WHERE s.model_version = :model_version
      AND (e.rep_id IS NULL OR e.seq <> s.seq OR e.model_version <> s.model_version OR e.computed_at < :stale)
    ORDER BY e.computed_at NULLS FIRST
    LIMIT :limit
    """
)


_EXPLANATIONS_GONE = text(
    "DELETE FROM rep_explanations e WHERE NOT EXISTS "
    "(SELECT 1 FROM rep_scores s WHERE s.tenant_id = e.tenant_id AND s.rep_id = e.rep_id)"
)


async def refresh_explanations(conn: AsyncConnection, model: ScoringModel, now: datetime, *, limit: int,
                               max_age: timedelta) -> int:
    """Explain the current snapshot of up to ``limit`` reps whose explanation is missing, older than their
    snapshot or than ``max_age``; returns how many."""
    stale = (await conn.execute(_STALE_EXPLANATIONS, {
        "model_version": model.version, "stale": now - max_age, "limit": limit})).all()
    first_day = int(now.timestamp() // DAY_SECONDS) - horizon_days(model)
    ledgers = await ledgers_until(conn, [(str(t), r) for t, r, _, _ in stale], model_version=model.version,
                                  first_day=first_day, until=now)  # one statement for the whole pass
    rows = []
    for tenant_id, rep_id, seq, state in stale:
        await asyncio.sleep(0)  # an explanation is pure CPU: the sink's write path runs between two of them
        pillars = evaluate(model, stored_basis(model, state), now.timestamp()).pillars
        ledger, earlier = ledgers.get((str(tenant_id), rep_id), ([], []))
        explanation = explain(model, ledger, earlier, now.timestamp(), pillars)
        rows.append({"tenant_id": str(tenant_id), "rep_id": rep_id, "model_version": model.version, "seq": seq,
                     "computed_at": now, "explanation": orjson.loads(orjson.dumps(explanation.to_json()))})
    await conn.execute(_EXPLANATIONS_GONE)
    if rows:
        stmt = insert(rep_explanations)
        await conn.execute(stmt.on_conflict_do_update(
            index_elements=[rep_explanations.c.tenant_id, rep_explanations.c.rep_id],
            set_={c: stmt.excluded[c] for c in ("model_version", "seq", "computed_at", "explanation")},
        ), rows)
    return len(rows)


async def explained_reps(conn: AsyncConnection, tenant_id: str) -> dict[str, int]:
    """rep id -> the snapshot seq its stored explanation is for (for tests and diagnostics)."""
    rows = await conn.execute(select(rep_explanations.c.rep_id, rep_explanations.c.seq)
                              .where(rep_explanations.c.tenant_id == tenant_id))
    return {r: s for r, s in rows.all()}
