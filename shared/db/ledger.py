"""Reading the scored-event ledger (``scored_events``) for explanations and point-in-time scores. The caller
brings the connection; shared opens none."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import scored_events
from shared.scoring.ledger import LedgerRow


async def ledger_until(
    conn: AsyncConnection, tenant_id: str, rep_id: str, *, model_version: str, first_day: int, until: datetime
) -> tuple[list[LedgerRow], list[LedgerRow]]:
    """The rep's scored events from ``first_day`` up to ``until``, and those up to 24 hours before ``until``,
    each summed per (day, type, source): one statement, one walk of the rep's index."""
    e = scored_events.c
    earlier = e.event_time <= until - timedelta(days=1)
    rows = await conn.execute(
        select(
            e.day, e.type, e.source, func.sum(e.quality), func.sum(e.decayed), func.count(),
            func.sum(e.quality).filter(earlier), func.sum(e.decayed).filter(earlier), func.count().filter(earlier),
        )
        .where(
            e.tenant_id == tenant_id,
            e.rep_id == rep_id,
            e.model_version == model_version,
            e.day >= first_day,
            e.event_time <= until,
        )
        .group_by(e.day, e.type, e.source)
    )
    now, before = [], []
    for day, kind, source, q, s, n, q1, s1, n1 in rows:
        now.append(LedgerRow(day, kind, source, float(q), float(s), int(n)))
        if n1:
            before.append(LedgerRow(day, kind, source, float(q1), float(s1), int(n1)))
    return now, before
