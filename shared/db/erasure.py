"""Erasure of a rep (GDPR article 17): the per-table deletes, and the permanent registry of erased reps.

Every table that holds rows of a rep, keyed by (tenant_id, rep_id), is one line of ``REP_TABLES``; the erasure
deletes from each in one transaction with the registry row. The registry (``erased_reps``) is what every
scorer version, the sink and every replay consult, so a replay never brings an erased rep back.

The erasure and the sink's writes are serialised by one advisory lock: the erasure takes it exclusively, each
sink batch shared (``lock_for_writes``), and the sink reads the registry after taking it. So a sink batch
either committed before the erasure (whose deletes then remove its rows) or reads the registry after it.
Erasures and unerasures hold the lock exclusively from before they take a change id until they commit, so
change ids commit in order and the scorer's "changes after N" never skips one that commits late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import (
    brand_mentions, crm_outcomes, erased_reps, erased_reps_change_seq, rep_explanations, rep_score_changes,
    rep_score_daily, rep_scores,
    rep_standings, reps, scored_events, unclaimed_identities,
)

REP_TABLES: tuple[Table, ...] = (
    rep_scores,
    rep_score_daily,
    scored_events,
    reps,
    crm_outcomes,  # the rep's deals and quotas
    brand_mentions,  # mentions whose subject is the rep
    rep_standings,  # read models: ranks and trend
    rep_explanations,
    rep_score_changes,  # earlier values of its scores, for leaderboard walks
    # team_stats and team_daily hold no rep id: the sink's next read-model pass recomputes them without the rep
)
"""Tables whose rows of a rep go on erasure: each has ``tenant_id`` and ``rep_id`` columns."""

LOCK_KEY = 0x55_53_49_45_52_41_53_45  # "USIERASE": one advisory lock key for erasures against sink writes


@dataclass(frozen=True, slots=True)
class Entry:
    """One rep of the registry: erased now or not, and the instant before which its events never count."""

    tenant_id: str
    rep_id: str
    erased: bool
    erased_at: datetime
    change_id: int


async def erase_rep(conn: AsyncConnection, tenant_id: str, rep_id: str) -> dict[str, int]:
    """Register the erasure and delete the rep's rows from every table, in the caller's transaction.
    Idempotent; returns the rows deleted per table. The rep's platform identities are kept in the registry
    (so later webhook events of the person are recognised and dead-lettered, and unerase can release them)."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    found = (await conn.execute(
        select(reps.c.identities).where(reps.c.tenant_id == tenant_id, reps.c.rep_id == rep_id)
    )).scalar_one_or_none()
    known = (await conn.execute(
        select(erased_reps.c.identities).where(erased_reps.c.tenant_id == tenant_id, erased_reps.c.rep_id == rep_id)
    )).scalar_one_or_none()
    identities = {**(known or {}), **(found or {})}
    stmt = insert(erased_reps).values(tenant_id=tenant_id, rep_id=rep_id, erased=True, erased_at=func.now(),
                                      identities=identities)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[erased_reps.c.tenant_id, erased_reps.c.rep_id],
        set_={"erased": True, "erased_at": func.now(), "identities": identities,
              "change_id": erased_reps_change_seq.next_value()},
    ))
    deleted: dict[str, int] = {}
    for table in REP_TABLES:
        result = await conn.execute(table.delete().where(table.c.tenant_id == tenant_id, table.c.rep_id == rep_id))
        deleted[table.name] = int(result.rowcount or 0)
    u = unclaimed_identities.c
    pairs = [(platform, identity) for platform, identity in identities.items()]
    deleted[unclaimed_identities.name] = 0
    if pairs:
        result = await conn.execute(unclaimed_identities.delete().where(
            u.tenant_id == tenant_id, tuple_(u.platform, u.identity).in_(pairs)))
        deleted[unclaimed_identities.name] = int(result.rowcount or 0)
    return deleted


async def unerase_rep(conn: AsyncConnection, tenant_id: str, rep_id: str) -> dict[str, str] | None:
    """Lift an erasure so the id can be reused; events received before the erasure still never count.
    Returns the identities the erased rep had (for the caller to release), or None if it was not erased."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    e = erased_reps.c
    identities = (await conn.execute(
        select(e.identities).where(e.tenant_id == tenant_id, e.rep_id == rep_id, e.erased).with_for_update()
    )).scalar_one_or_none()
    if identities is None:
        return None
    await conn.execute(
        erased_reps.update().where(e.tenant_id == tenant_id, e.rep_id == rep_id)
        .values(erased=False, identities={}, change_id=erased_reps_change_seq.next_value())
    )
    return dict(identities)


async def erased_identities(conn: AsyncConnection, tenant_id: str, rep_id: str) -> dict[str, str]:
    found = (await conn.execute(select(erased_reps.c.identities).where(
        erased_reps.c.tenant_id == tenant_id, erased_reps.c.rep_id == rep_id, erased_reps.c.erased))).scalar_one_or_none()
    return dict(found or {})


async def list_erased(conn: AsyncConnection, tenant_id: str) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(erased_reps.c.rep_id, erased_reps.c.erased, erased_reps.c.erased_at)
        .where(erased_reps.c.tenant_id == tenant_id).order_by(erased_reps.c.rep_id)
    )
    return [dict(r) for r in rows.mappings()]


async def changes_since(conn: AsyncConnection, change_id: int, limit: int = 10_000) -> list[Entry]:
    """Registry rows changed after ``change_id``, in change order (the scorer's incremental read)."""
    e = erased_reps.c
    rows = await conn.execute(
        select(e.tenant_id, e.rep_id, e.erased, e.erased_at, e.change_id)
        .where(e.change_id > change_id).order_by(e.change_id).limit(limit)
    )
    return [Entry(str(t), r, bool(er), at, int(c)) for t, r, er, at, c in rows]


async def lock_for_writes(conn: AsyncConnection) -> None:
    """Taken by each sink transaction before it reads the registry: waits for an erasure in progress."""
    await conn.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": LOCK_KEY})


async def entries_for(conn: AsyncConnection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Entry]:
    """The registry rows among these (tenant_id, rep_id) pairs: one statement with one parameter (the batch's
    tenants, whose erasures are few), filtered here."""
    pairs = set(keys)
    if not pairs:
        return {}
    e = erased_reps.c
    rows = await conn.execute(
        select(e.tenant_id, e.rep_id, e.erased, e.erased_at, e.change_id)
        .where(e.tenant_id == func.any(bindparam("tenants", type_=ARRAY(UUID(as_uuid=False)))))
        , {"tenants": sorted({t for t, _ in pairs})})
    found = {(str(t), r): Entry(str(t), r, bool(er), at, int(c)) for t, r, er, at, c in rows}
    return {k: v for k, v in found.items() if k in pairs}


async def is_erased(conn: AsyncConnection, tenant_id: str, rep_id: str) -> bool:
    e = erased_reps.c
    return bool((await conn.execute(select(e.erased).where(e.tenant_id == tenant_id, e.rep_id == rep_id)))
                .scalar_one_or_none())


def suppressed(entry: Entry | None, produced_at: datetime) -> bool:
    """Whether a snapshot or ledger record the scorer produced at ``produced_at`` must not be written: the
    rep is erased now, or the record was produced before the erasure (a replay of old output). Pure."""
    if entry is None:
        return False
    return entry.erased or produced_at < entry.erased_at

