"""SQL of the api's reads of the read models (migration 0011, kept by the sink): each read is one statement
over primary keys or one index. Every query is scoped to the caller's tenant."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, and_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import (
    rep_explanations,
    rep_score_daily,
    rep_scores,
    rep_standings,
    reps,
    scored_events,
    targets,
    team_daily,
    team_stats,
)

TENANT_TARGET = ""
"""The ``team`` of a tenant's own target: the directory never holds an empty team name."""

STANDING_COLUMNS = ("team_below", "team_size", "tenant_below", "tenant_size", "industry_below", "industry_size",
                    "industry_tenants", "trend_per_day")


def standing_columns() -> list:
    st = rep_standings.c
    return [*(st[c] for c in STANDING_COLUMNS), st.refreshed_at.label("ranked_at")]


def milestones_for(tenant_column, team_column):  # type: ignore[no-untyped-def]
    """The milestones that apply to a rep of ``team_column``: its team's target, else the tenant's."""
    t = targets.c
    team_target = select(t.milestones).where(t.tenant_id == tenant_column, t.team == team_column).scalar_subquery()
    tenant_target = select(t.milestones).where(t.tenant_id == tenant_column, t.team == TENANT_TARGET).scalar_subquery()
    return func.coalesce(team_target, tenant_target).label("milestones")


@functools.cache
def _current_statement():  # type: ignore[no-untyped-def]
    """Built once, with bound parameters: building it took longer than running it."""
    s, d, e = rep_scores.c, reps.c, rep_explanations.c
    return (
        select(
            *rep_scores.c, d.name, d.team, d.industry, *standing_columns(),
            e.seq.label("explained_seq"), e.model_version.label("explained_model"), e.explanation,
            e.computed_at.label("explained_at"), milestones_for(s.tenant_id, d.team),
        )
        .select_from(
            rep_scores
            .outerjoin(reps, and_(d.tenant_id == s.tenant_id, d.rep_id == s.rep_id))
            .outerjoin(rep_standings, and_(rep_standings.c.tenant_id == s.tenant_id,
                                           rep_standings.c.rep_id == s.rep_id))
            .outerjoin(rep_explanations, and_(e.tenant_id == s.tenant_id, e.rep_id == s.rep_id))
        )
        .where(s.tenant_id == bindparam("tenant_id", type_=s.tenant_id.type),
               s.rep_id == bindparam("rep_id", type_=Text), s.model_version == bindparam("model_version", type_=Text))
    )


@functools.cache
def _current_sql() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """_current_statement as Postgres text with $n parameters, the parameter names in their order, and the
    values of the statement's own literals (the tenant target's empty team)."""
    compiled = _current_statement().compile(dialect=asyncpg_dialect())
    return str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params)


async def current(conn: AsyncConnection, tenant_id: str, rep_id: str, *, model_version: str) -> dict[str, Any] | None:
    """The rep's stored snapshot of one model version with its directory entry, standing, stored explanation
    and target: one statement of primary-key lookups. Standings and explanations are kept for the active
    version only: the caller uses them only when ``model_version`` is the active one.

    Sent on the driver's own connection as a prepared statement (asyncpg caches it per connection): SQLAlchemy's
    execution and result layers were a sixth of a score read's CPU. The row is the same mapping
    (tests/integration/test_read_models_current.py), JSONB decoded by the codec the engine installed on the
    connection; ids come back as text, as the engine's UUID(as_uuid=False) columns give them."""
    sql, names, literals = _current_sql()
    values = {**literals, "tenant_id": tenant_id, "rep_id": rep_id, "model_version": model_version}
    raw = await conn.get_raw_connection()
    found = await raw.driver_connection.fetchrow(sql, *(values[n] for n in names))  # type: ignore[union-attr]
    if found is None:
        return None
    row = dict(found.items())
    row["tenant_id"] = str(row["tenant_id"])
    return row


async def tenant_targets(conn: AsyncConnection, tenant_id: str) -> dict[str, list[dict]]:
    """team ('' for the tenant's own) -> stored milestones."""
    rows = await conn.execute(select(targets.c.team, targets.c.milestones).where(targets.c.tenant_id == tenant_id))
    return {team: milestones for team, milestones in rows.all()}


async def get_target(conn: AsyncConnection, tenant_id: str, team: str) -> dict[str, Any] | None:
    row = await conn.execute(select(targets.c.milestones, targets.c.updated_at)
                             .where(targets.c.tenant_id == tenant_id, targets.c.team == team))
    found = row.mappings().one_or_none()
    return dict(found) if found else None


async def put_target(conn: AsyncConnection, tenant_id: str, team: str, milestones: list[dict]) -> bool:
    """Create or replace; True when created."""
    stmt = insert(targets).values(tenant_id=tenant_id, team=team, milestones=milestones)
    stmt = stmt.on_conflict_do_update(
        index_elements=[targets.c.tenant_id, targets.c.team],
        set_={"milestones": stmt.excluded.milestones, "updated_at": func.now()},
    ).returning(literal_column("(xmax = 0)").label("created"))
    row = (await conn.execute(stmt)).one()
    return bool(row.created)


async def teams_page(conn: AsyncConnection, tenant_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` teams of the tenant after ``after``, in team name order (the primary key's)."""
    t = team_stats.c
    stmt = select(team_stats).where(t.tenant_id == tenant_id)
    if after is not None:
        stmt = stmt.where(t.team > after)
    rows = await conn.execute(stmt.order_by(t.team).limit(limit))
    return [dict(r) for r in rows.mappings()]


async def team(conn: AsyncConnection, tenant_id: str, name: str) -> dict[str, Any] | None:
    row = await conn.execute(select(team_stats).where(team_stats.c.tenant_id == tenant_id, team_stats.c.team == name))
    found = row.mappings().one_or_none()
    return dict(found) if found else None


async def team_trend(conn: AsyncConnection, tenant_id: str, name: str, start: date, end: date) -> list[dict[str, Any]]:
    t = team_daily.c
    rows = await conn.execute(
        select(t.day, t.size, t.stats)
        .where(t.tenant_id == tenant_id, t.team == name, t.day >= start, t.day <= end)
        .order_by(t.day)
    )
    return [dict(r) for r in rows.mappings()]


async def team_members(conn: AsyncConnection, tenant_id: str, name: str) -> list[dict[str, Any]]:
    """The team's directory reps (id and name), by the (tenant_id, team) index."""
    rows = await conn.execute(select(reps.c.rep_id, reps.c.name)
                              .where(reps.c.tenant_id == tenant_id, reps.c.team == name).order_by(reps.c.rep_id))
    return [dict(r) for r in rows.mappings()]


async def snapshots_on(conn: AsyncConnection, tenant_id: str, rep_ids: list[str], day: date,
                       model_version: str) -> dict[str, dict[str, Any]]:
    """Each rep's last daily snapshot of ``model_version`` on or before ``day`` (rep_score_daily's primary key,
    newest first)."""
    if not rep_ids:
        return {}
    d = rep_score_daily.c
    rows = await conn.execute(
        select(rep_score_daily).distinct(d.rep_id)
        .where(d.tenant_id == tenant_id, d.rep_id.in_(rep_ids), d.model_version == model_version, d.day <= day)
        .order_by(d.rep_id, d.day.desc())
    )
    return {r["rep_id"]: dict(r) for r in rows.mappings()}


async def current_snapshots(conn: AsyncConnection, tenant_id: str, rep_ids: list[str],
                            model_version: str) -> dict[str, dict[str, Any]]:
    if not rep_ids:
        return {}
    rows = await conn.execute(select(rep_scores).where(rep_scores.c.tenant_id == tenant_id,
                                                       rep_scores.c.rep_id.in_(rep_ids),
                                                       rep_scores.c.model_version == model_version))
    return {r["rep_id"]: dict(r) for r in rows.mappings()}


async def activity_counts(conn: AsyncConnection, tenant_id: str, rep_ids: list[str], model_version: str,
                          start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(pillar, platform, events) of the reps' scored events with start <= event_time < end (the ledger's
    (tenant_id, rep_id, event_time) index)."""
    if not rep_ids:
        return []
    e = scored_events.c
    rows = await conn.execute(
        select(e.pillar, e.source, func.count())
        .where(e.tenant_id == tenant_id, e.rep_id.in_(rep_ids), e.model_version == model_version,
               e.event_time >= start, e.event_time < end)
        .group_by(e.pillar, e.source)
    )
    return [(p, s, int(n)) for p, s, n in rows.all()]


async def delete_target(conn: AsyncConnection, tenant_id: str, team: str) -> bool:
    result = await conn.execute(targets.delete().where(targets.c.tenant_id == tenant_id, targets.c.team == team))
    return bool(result.rowcount)
