"""SQL of the sink: idempotent upserts where a newer snapshot (larger seq) always wins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import rep_score_daily, rep_scores, scored_events, tenants, unclaimed_identities
from shared.scores import ScoreSnapshot
from shared.scoring import RepState, ScoringModel, evaluate

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


ROWS_PER_STATEMENT = 1000
"""Postgres takes at most 32,767 parameters per statement; 1,000 rows of about 15 columns stay well below."""


def _chunks(rows: list, size: int = ROWS_PER_STATEMENT) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def upsert_current(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    for chunk in _chunks(snapshots):
        stmt = insert(rep_scores).values([_row(s) for s in chunk])
        stmt = stmt.on_conflict_do_update(
            index_elements=[rep_scores.c.tenant_id, rep_scores.c.rep_id],
            set_={**{f: stmt.excluded[f] for f in _SCORE_FIELDS}, "updated_at": stmt.excluded.as_of, "evaluated_at": None},
            where=(rep_scores.c.seq < stmt.excluded.seq) | (rep_scores.c.model_version != stmt.excluded.model_version),
        )
        await conn.execute(stmt)
    return len(snapshots)


async def upsert_daily(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    for chunk in _chunks(snapshots):
        stmt = insert(rep_score_daily).values([{**_row(s), "day": s.as_of.date()} for s in chunk])
        stmt = stmt.on_conflict_do_update(
            index_elements=[rep_score_daily.c.tenant_id, rep_score_daily.c.rep_id, rep_score_daily.c.day],
            set_={f: stmt.excluded[f] for f in _SCORE_FIELDS},
            where=(rep_score_daily.c.seq < stmt.excluded.seq)
            | (rep_score_daily.c.model_version != stmt.excluded.model_version),
        )
        await conn.execute(stmt)
    return len(snapshots)


async def insert_scored_events(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    """The ledger: one row per scored event, first write wins (replays and duplicates are no-ops)."""
    rows = [
        {
            "tenant_id": s.tenant_id,
            "source": s.event.source,
            "event_id": s.event.id,
            "rep_id": s.rep_id,
            "type": s.event.type,
            "pillar": s.event.pillar,
            "event_time": s.event.time,
            "day": s.event.day,
            "quality": s.event.quality,
            "decayed": s.event.decayed,
            "model_version": s.model_version,
            "scored_at": s.as_of,
        }
        for s in snapshots
        if s.event is not None
    ]
    for chunk in _chunks(rows):
        await conn.execute(insert(scored_events).values(chunk).on_conflict_do_nothing())
    return len(rows)


async def refresh_decay(conn: AsyncConnection, model: ScoringModel, at: datetime, after: tuple[str, str], limit: int) -> tuple[int, tuple[str, str] | None]:
    """Re-evaluate one page of current scores at ``at`` so that idle reps' totals keep decaying (ranks read
    stored totals). Returns the rows updated and the key to continue after, or None at the end."""
    rows = (
        await conn.execute(
            select(rep_scores.c.tenant_id, rep_scores.c.rep_id, rep_scores.c.state)
            .where(
                rep_scores.c.model_version == model.version,
                tuple_(rep_scores.c.tenant_id, rep_scores.c.rep_id) > tuple_(*after),
            )
            .order_by(rep_scores.c.tenant_id, rep_scores.c.rep_id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return 0, None
    updates = []
    for tenant_id, rep_id, state in rows:
        score = evaluate(model, RepState.from_json(state), at.timestamp())
        updates.append({"t": str(tenant_id), "r": rep_id, "total": score.total, "evaluated_at": at, **score.pillars})
    await conn.execute(
        update(rep_scores)
        .where(rep_scores.c.tenant_id == bindparam("t"), rep_scores.c.rep_id == bindparam("r"))
        .values(
            total=bindparam("total"),
            evaluated_at=bindparam("evaluated_at"),
            **{p: bindparam(p) for p in ("brand", "people", "insights", "relationships")},
        ),
        updates,
    )
    last = rows[-1]
    return len(rows), (str(last[0]), last[1])


async def apply_identity_status(conn: AsyncConnection, statuses: list[dict]) -> int:
    """Upsert identities with parked events, delete those that have none any more (last status wins)."""
    t = unclaimed_identities
    for status in statuses:
        where = (t.c.tenant_id == status["tenant_id"]) & (t.c.platform == status["platform"]) & (
            t.c.identity == status["identity"]
        )
        if status["parked"] > 0:
            row = {k: status[k] for k in ("tenant_id", "platform", "identity", "parked")}
            row["last_event_at"] = datetime.fromisoformat(status["last_event_at"])
            stmt = insert(t).values(row)
            await conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.tenant_id, t.c.platform, t.c.identity],
                                                          set_={"parked": stmt.excluded.parked,
                                                                "last_event_at": stmt.excluded.last_event_at}))
        else:
            await conn.execute(t.delete().where(where))
    return len(statuses)
