"""Reading the scored-event ledger (``scored_events``) for explanations and point-in-time scores. The caller
brings the connection; shared opens none."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.scoring.ledger import LedgerRow


Ledgers = tuple[list[LedgerRow], list[LedgerRow]]


async def ledger_until(
    conn: AsyncConnection, tenant_id: str, rep_id: str, *, model_version: str, first_day: int, until: datetime
) -> Ledgers:
    """The rep's scored events from ``first_day`` up to ``until``, and those up to 24 hours before ``until``,
    each summed per (day, type, source): one statement, one walk of the rep's index."""
    found = await ledgers_until(conn, [(tenant_id, rep_id)], model_version=model_version, first_day=first_day,
                                until=until)
    return next(iter(found.values()), ([], []))  # one rep asked: whatever form its tenant id was given in


_LEDGERS = text(
    """
    SELECT r.tenant_id::text, r.rep_id, l.day, l.type, l.source, l.q, l.s, l.n, l.q1, l.s1, l.n1
    FROM unnest(CAST(:tenants AS uuid[]), CAST(:reps AS text[])) AS r (tenant_id, rep_id)
    CROSS JOIN LATERAL (
        SELECT e.day, e.type, e.source, sum(e.quality) AS q, sum(e.decayed) AS s, count(*) AS n,
               sum(e.quality) FILTER (WHERE e.event_time <= :earlier) AS q1,
               sum(e.decayed) FILTER (WHERE e.event_time <= :earlier) AS s1,
               count(*) FILTER (WHERE e.event_time <= :earlier) AS n1
        FROM scored_events e
        WHERE e.tenant_id = r.tenant_id AND e.rep_id = r.rep_id AND e.model_version = :model_version
          AND e.day >= :first_day AND e.event_time <= :until
        GROUP BY e.day, e.type, e.source
    ) l
    """
)
"""One walk of each rep's index (tenant_id, rep_id, event_time): a rep list as an IN list of row values was
planned as one scan of the whole ledger filtered by the list."""


async def ledgers_until(
    conn: AsyncConnection, reps: list[tuple[str, str]], *, model_version: str, first_day: int, until: datetime
) -> dict[tuple[str, str], Ledgers]:
    """``ledger_until`` for many reps in one statement: (tenant id, rep id) -> (rows, rows up to 24 hours
    before ``until``); a rep without rows in the window is absent. Tenant ids as text."""
    if not reps:
        return {}
    rows = await conn.execute(_LEDGERS, {
        "tenants": [t for t, _ in reps], "reps": [r for _, r in reps], "model_version": model_version,
        "first_day": first_day, "until": until, "earlier": until - timedelta(days=1),
    })
    out: dict[tuple[str, str], Ledgers] = {}
    for tenant_id, rep_id, day, kind, source, q, s, n, q1, s1, n1 in rows:
        key = (tenant_id, rep_id)
        found = out.get(key)
        if found is None:
            found = out[key] = ([], [])
        found[0].append(LedgerRow(day, kind, source, float(q), float(s), int(n)))
        if n1:
            found[1].append(LedgerRow(day, kind, source, float(q1), float(s1), int(n1)))
    return out
