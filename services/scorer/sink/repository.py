"""SQL of the sink: idempotent upserts where a newer snapshot (larger seq) always wins."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import rep_score_daily, rep_scores, tenants
from shared.scores import ScoreSnapshot

_SCORE_FIELDS = ("brand", "people", "insights", "relationships", "total", "state", "model_version", "as_of", "seq", "events")


def _row(s: ScoreSnapshot) -> dict:
    return {
        "tenant_id": s.tenant_id,
        "rep_id": s.rep_id,
        **{p: s.pillars[p] for p in ("brand", "people", "insights", "relationships")},
        "total": s.total,
        "state": s.state,
        "model_version": s.model_version,
        "as_of": s.as_of,
        "seq": s.seq,
        "events": int(s.state.get("events", 0)),
    }


async def existing_tenants(conn: AsyncConnection, tenant_ids: Iterable[str]) -> set[str]:
    ids = list(set(tenant_ids))
    if not ids:
        return set()
    rows = await conn.execute(select(tenants.c.id).where(tenants.c.id.in_(ids)))
    return {str(r[0]) for r in rows}


async def upsert_current(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    if not snapshots:
        return 0
    stmt = insert(rep_scores).values([_row(s) for s in snapshots])
    stmt = stmt.on_conflict_do_update(
        index_elements=[rep_scores.c.tenant_id, rep_scores.c.rep_id],
        set_={**{f: stmt.excluded[f] for f in _SCORE_FIELDS}, "updated_at": stmt.excluded.as_of},
        where=rep_scores.c.seq < stmt.excluded.seq,
    )
    await conn.execute(stmt)
    return len(snapshots)


async def upsert_daily(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    if not snapshots:
        return 0
    stmt = insert(rep_score_daily).values([{**_row(s), "day": s.as_of.date()} for s in snapshots])
    stmt = stmt.on_conflict_do_update(
        index_elements=[rep_score_daily.c.tenant_id, rep_score_daily.c.rep_id, rep_score_daily.c.day],
        set_={f: stmt.excluded[f] for f in _SCORE_FIELDS},
        where=rep_score_daily.c.seq < stmt.excluded.seq,
    )
    await conn.execute(stmt)
    return len(snapshots)
