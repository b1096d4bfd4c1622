"""SQL of the sink for stored, not scored, events: CRM outcomes and brand mentions, written once each by
(tenant, source, event id) (first write wins), so replays and duplicates change nothing."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.outcomes import StoredEvent

_OUTCOMES = text("""
INSERT INTO crm_outcomes (tenant_id, source, event_id, rep_id, type, event_time, amount, currency, period_start,
                          period_end)
SELECT * FROM unnest(CAST(:tenant_id AS uuid[]), CAST(:source AS text[]), CAST(:event_id AS text[]),
                     CAST(:rep_id AS text[]), CAST(:type AS text[]), CAST(:event_time AS timestamptz[]),
                     CAST(:amount AS float8[]), CAST(:currency AS text[]), CAST(:period_start AS date[]),
                     CAST(:period_end AS date[]))
ON CONFLICT (tenant_id, source, event_id) DO NOTHING
""")

_MENTIONS = text("""
INSERT INTO brand_mentions (tenant_id, source, event_id, rep_id, brand, reach, sentiment, event_time)
SELECT * FROM unnest(CAST(:tenant_id AS uuid[]), CAST(:source AS text[]), CAST(:event_id AS text[]),
                     CAST(:rep_id AS text[]), CAST(:brand AS text[]), CAST(:reach AS float8[]),
                     CAST(:sentiment AS float8[]), CAST(:event_time AS timestamptz[]))
ON CONFLICT (tenant_id, source, event_id) DO NOTHING
""")


def _unique(events: list[StoredEvent]) -> list[StoredEvent]:
    """One row per key per statement (ON CONFLICT cannot meet the same key twice in one statement)."""
    seen: dict[tuple[str, str, str], StoredEvent] = {}
    for e in events:
        seen.setdefault((e.tenant_id, e.source, e.id), e)
    return list(seen.values())


async def insert_stored(conn: AsyncConnection, events: list[StoredEvent]) -> tuple[int, int]:
    """Returns the (outcome, mention) records handled (not only the rows new to the table)."""
    outcomes = _unique([e for e in events if not e.is_mention])
    mentions = _unique([e for e in events if e.is_mention])
    if outcomes:
        await conn.execute(_OUTCOMES, {
            "tenant_id": [e.tenant_id for e in outcomes], "source": [e.source for e in outcomes],
            "event_id": [e.id for e in outcomes], "rep_id": [e.rep_id for e in outcomes],
            "type": [e.type for e in outcomes], "event_time": [e.time for e in outcomes],
            "amount": [e.amount for e in outcomes], "currency": [e.currency for e in outcomes],
            "period_start": [e.period_start for e in outcomes], "period_end": [e.period_end for e in outcomes],
        })
    if mentions:
        await conn.execute(_MENTIONS, {
            "tenant_id": [e.tenant_id for e in mentions], "source": [e.source for e in mentions],
            "event_id": [e.id for e in mentions], "rep_id": [e.rep_id for e in mentions],
            "brand": [e.brand for e in mentions], "reach": [e.reach for e in mentions],
            "sentiment": [e.sentiment for e in mentions], "event_time": [e.time for e in mentions],
        })
    return len(outcomes), len(mentions)
