"""SQL of the sink: idempotent writes where a newer snapshot (larger seq) always wins and a ledger row is
written once (first write wins), so replays and duplicates of any record change nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import orjson

from sqlalchemy import Text, bindparam, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import rep_scores, tenants, unclaimed_identities
from shared.scores import LedgerBatch, ScoreSnapshot
from shared.scoring import PILLARS, ScoringModel, evaluate, stored_basis



def _row(s: ScoreSnapshot) -> dict:
    return {
        "tenant_id": s.tenant_id,
        "rep_id": s.rep_id,
        **{p: s.pillars[p] for p in PILLARS},
        "total": s.total,
        "state": s.basis,
        "model_version": s.model_version,
        "as_of": s.as_of,
        "seq": s.seq,
        "events": s.events,
    }


async def existing_tenants(conn: AsyncConnection, tenant_ids: Iterable[str]) -> set[str]:
    ids = list(set(tenant_ids))
    if not ids:
        return set()
    rows = await conn.execute(select(tenants.c.id).where(tenants.c.id.in_(ids)))
    return {str(r[0]) for r in rows}


ROWS_PER_STATEMENT = 20_000
"""Rows per statement: every statement here sends one array per column (a handful of parameters whatever the
row count, far below Postgres' 32,767); 20,000 rows keep a statement a few MB."""


def _chunks(rows: list, size: int = ROWS_PER_STATEMENT) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


_SCORE_COLUMNS = ("tenant_id", "rep_id", "brand", "people", "insights", "relationships", "total", "state",
                  "model_version", "as_of", "seq", "events")
_SCORE_TYPES = ("uuid", "text", "float8", "float8", "float8", "float8", "float8", "text", "text", "timestamptz",
                "int8", "int4")


def _upsert(table: str, extra: tuple[tuple[str, str], ...], conflict: str, set_extra: str) -> Any:
    """INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT DO UPDATE where the row is newer: one
    parameter per column whatever the row count (a VALUES list of 1,000 rows took most of a sink batch)."""
    columns = _SCORE_COLUMNS + tuple(c for c, _ in extra)
    types = _SCORE_TYPES + tuple(t for _, t in extra)
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(columns, types, strict=True))
    select_list = ", ".join("CAST(state AS jsonb)" if c == "state" else c for c in columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _SCORE_COLUMNS if c not in ("tenant_id", "rep_id"))
    return text(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {select_list} FROM unnest({arrays}) AS u({', '.join(columns)}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}{set_extra} "
        f"WHERE {table}.seq < EXCLUDED.seq"
    )


# one row per rep and model version (migration 0012): a new version's snapshots sit beside the old version's
_CURRENT = _upsert("rep_scores", (), "tenant_id, rep_id, model_version",
                   ", updated_at = EXCLUDED.as_of, evaluated_at = NULL")
_DAILY = _upsert("rep_score_daily", (("day", "date"),), "tenant_id, rep_id, model_version, day", "")


def _columns(snapshots: list[ScoreSnapshot], daily: bool) -> dict[str, list]:
    out: dict[str, list] = {c: [] for c in _SCORE_COLUMNS}
    for s in snapshots:
        row = _row(s)
        row["state"] = orjson.dumps(row["state"]).decode()
        for c in _SCORE_COLUMNS:
            out[c].append(row[c])
    if daily:
        out["day"] = [s.as_of.date() for s in snapshots]
    return out


async def upsert_current(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    for chunk in _chunks(snapshots):
        await conn.execute(_CURRENT, _columns(chunk, daily=False))
    return len(snapshots)


async def upsert_daily(conn: AsyncConnection, snapshots: list[ScoreSnapshot]) -> int:
    for chunk in _chunks(snapshots):
        await conn.execute(_DAILY, _columns(chunk, daily=True))
    return len(snapshots)


_LEDGER_INSERT = text(
    """
    INSERT INTO scored_events (tenant_id, source, event_id, rep_id, type, pillar, event_time, day, quality,
                               decayed, model_version, scored_at)
    SELECT * FROM unnest(CAST(:tenant_id AS uuid[]), CAST(:source AS text[]), CAST(:event_id AS text[]),
                         CAST(:rep_id AS text[]), CAST(:type AS text[]), CAST(:pillar AS text[]),
                         CAST(:event_time AS timestamptz[]), CAST(:day AS integer[]), CAST(:quality AS float8[]),
                         CAST(:decayed AS float8[]), CAST(:model_version AS text[]), CAST(:scored_at AS timestamptz[]))
    ON CONFLICT DO NOTHING
    """
)


async def insert_ledger(conn: AsyncConnection, batches: list[LedgerBatch]) -> int:
    """The ledger: one row per scored event, first write wins. Rows go as one array per column through
    ``unnest``: 12 parameters per statement, far faster than a VALUES list of the same rows."""
    rows = [(b, r) for b in batches for r in b.rows]
    for chunk in _chunks(rows):
        await conn.execute(_LEDGER_INSERT, {
            "tenant_id": [b.tenant_id for b, _ in chunk],
            "source": [r.source for _, r in chunk],
            "event_id": [r.id for _, r in chunk],
            "rep_id": [b.rep_id for b, _ in chunk],
            "type": [r.type for _, r in chunk],
            "pillar": [r.pillar for _, r in chunk],
            "event_time": [r.time for _, r in chunk],
            "day": [r.day for _, r in chunk],
            "quality": [r.quality for _, r in chunk],
            "decayed": [r.decayed for _, r in chunk],
            "model_version": [b.model_version for b, _ in chunk],
            "scored_at": [b.scored_at for b, _ in chunk],
        })
    return len(rows)


FIRST_REP_KEY = ("00000000-0000-0000-0000-000000000000", "")
"""Below every (tenant id, rep id): tenant ids are UUIDs, so the walk starts at the nil UUID (an empty string
cannot be compared with a uuid column: every refresh failed with 'operator does not exist')."""


async def refresh_decay(conn: AsyncConnection, model: ScoringModel, at: datetime, after: tuple[str, str], limit: int) -> tuple[int, tuple[str, str] | None]:
    """Re-evaluate one page of current scores at ``at`` so that idle reps' totals keep decaying (ranks read
    stored totals). Returns the rows updated and the key to continue after, or None at the end."""
    rows = (
        await conn.execute(
            select(rep_scores.c.tenant_id, rep_scores.c.rep_id, rep_scores.c.state)
            .where(
                rep_scores.c.model_version == model.version,
                tuple_(rep_scores.c.tenant_id, rep_scores.c.rep_id)
                > tuple_(literal(after[0], type_=rep_scores.c.tenant_id.type), literal(after[1], type_=Text)),
            )
            .order_by(rep_scores.c.tenant_id, rep_scores.c.rep_id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return 0, None
    updates = []
    for tenant_id, rep_id, state in rows:
        score = evaluate(model, stored_basis(model, state), at.timestamp())
        updates.append({"t": str(tenant_id), "r": rep_id, "total": score.total, "evaluated_at": at, **score.pillars})
    await conn.execute(
        update(rep_scores)
        .where(rep_scores.c.tenant_id == bindparam("t"), rep_scores.c.rep_id == bindparam("r"),
               rep_scores.c.model_version == model.version)
        .values(
            total=bindparam("total"),
            evaluated_at=bindparam("evaluated_at"),
            **{p: bindparam(p) for p in PILLARS},
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
            row = {k: status[k] for k in ("tenant_id", "platform", "identity", "parked", "last_event_at")}
            stmt = insert(t).values(row)
            await conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.tenant_id, t.c.platform, t.c.identity],
                                                          set_={"parked": stmt.excluded.parked,
                                                                "last_event_at": stmt.excluded.last_event_at}))
        else:
            await conn.execute(t.delete().where(where))
    return len(statuses)


LEDGER_EXPIRY = text(
    "DELETE FROM scored_events WHERE ctid IN "
    "(SELECT ctid FROM scored_events WHERE event_time < :cutoff LIMIT :limit)"
)


HISTORY_EXPIRY = text(
    "DELETE FROM rep_score_daily WHERE ctid IN "
    "(SELECT ctid FROM rep_score_daily WHERE day < :cutoff LIMIT :limit)"
)


async def delete_expired_history(conn: AsyncConnection, cutoff: date, limit: int) -> int:
    """One batch of the daily history's retention: at most ``limit`` rows of days before ``cutoff`` (found
    through ix_rep_score_daily_day)."""
    result = await conn.execute(HISTORY_EXPIRY, {"cutoff": cutoff, "limit": limit})
    return int(result.rowcount or 0)


async def delete_expired_ledger(conn: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """One batch of the ledger's retention: at most ``limit`` rows whose event happened before ``cutoff``
    (found through ix_scored_events_event_time). The caller repeats, one short transaction each, until a batch
    deletes fewer than ``limit``."""
    result = await conn.execute(LEDGER_EXPIRY, {"cutoff": cutoff, "limit": limit})
    return int(result.rowcount or 0)


def _expiry(table: str, column: str) -> Any:
    return text(f"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {column} < :cutoff LIMIT :limit)")


OUTCOMES_EXPIRY = _expiry("crm_outcomes", "event_time")  # through ix_crm_outcomes_event_time (migration 0014)
MENTIONS_EXPIRY = _expiry("brand_mentions", "event_time")  # ix_brand_mentions_event_time
TEAM_HISTORY_EXPIRY = _expiry("team_daily", "day")  # ix_team_daily_day
WALK_LOG_EXPIRY = _expiry("rep_score_changes", "changed_at")  # ix_rep_score_changes_changed_at
WRITES_LOG_EXPIRY = _expiry("read_model_writes", "written_at")  # ix_read_model_writes_written_at (migration 0015)


async def delete_expired_outcomes(conn: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """One batch of the CRM outcomes' retention: at most ``limit`` rows whose event happened before ``cutoff``."""
    return int((await conn.execute(OUTCOMES_EXPIRY, {"cutoff": cutoff, "limit": limit})).rowcount or 0)


async def delete_expired_mentions(conn: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """One batch of the brand mentions' retention: at most ``limit`` rows whose event happened before ``cutoff``."""
    return int((await conn.execute(MENTIONS_EXPIRY, {"cutoff": cutoff, "limit": limit})).rowcount or 0)


async def delete_expired_team_history(conn: AsyncConnection, cutoff: date, limit: int) -> int:
    """One batch of the teams' daily points' retention: at most ``limit`` rows of days before ``cutoff``."""
    return int((await conn.execute(TEAM_HISTORY_EXPIRY, {"cutoff": cutoff, "limit": limit})).rowcount or 0)


async def delete_expired_walk_log(conn: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """One batch of the walk log's retention (rep_score_changes written before ``cutoff``)."""
    return int((await conn.execute(WALK_LOG_EXPIRY, {"cutoff": cutoff, "limit": limit})).rowcount or 0)


async def delete_expired_writes_log(conn: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """One batch of the read-model writes log's retention (read_model_writes written before ``cutoff``): the
    api's page cache serves nothing older than its SSI_API_CURSOR_SECONDS, which is below this."""
    return int((await conn.execute(WRITES_LOG_EXPIRY, {"cutoff": cutoff, "limit": limit})).rowcount or 0)
