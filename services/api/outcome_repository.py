"""SQL of the outcome-based reads: quota attainment, the scores and activity counts beside it, declared brands
and brand mentions. Every query is scoped to one tenant."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.scoring import PILLARS

_ATTAINMENT = text("""
WITH quota AS (
    SELECT DISTINCT ON (rep_id) rep_id, amount
    FROM crm_outcomes
    WHERE tenant_id = :tenant_id AND type = 'quota.set' AND period_start = :first AND period_end = :last
    ORDER BY rep_id, event_time DESC, event_id DESC
), won AS (
    SELECT rep_id, sum(amount) AS won
    FROM crm_outcomes
    WHERE tenant_id = :tenant_id AND type = 'deal.won' AND event_time >= :start AND event_time < :end
    GROUP BY rep_id
)
SELECT quota.rep_id, quota.amount AS quota, coalesce(won.won, 0) AS won, reps.team
FROM quota
LEFT JOIN won ON won.rep_id = quota.rep_id
LEFT JOIN reps ON reps.tenant_id = :tenant_id AND reps.rep_id = quota.rep_id
ORDER BY quota.rep_id
""")


async def attainment(conn: AsyncConnection, tenant_id: str, first: date, last: date, start: datetime,
                     end: datetime) -> list[dict[str, Any]]:
    """Reps with a quota whose data.period is exactly first/last (the latest quota.set of each rep wins), with
    the deal.won amount whose time is in [start, end), and their team."""
    rows = await conn.execute(_ATTAINMENT, {"tenant_id": tenant_id, "first": first, "last": last, "start": start,
                                            "end": end})
    return [dict(r._mapping) for r in rows]


_MEAN_DAILY = text(f"""
SELECT rep_id, count(*) AS days, avg(total) AS total, {", ".join(f"avg({p}) AS {p}" for p in PILLARS)}
FROM rep_score_daily
WHERE tenant_id = :tenant_id AND model_version = :model_version AND day BETWEEN :first AND :last
  AND rep_id = ANY(CAST(:rep_ids AS text[]))
GROUP BY rep_id
""")


async def mean_daily_scores(conn: AsyncConnection, tenant_id: str, model_version: str, rep_ids: list[str],
                            first: date, last: date) -> dict[str, dict[str, float]]:
    """Each rep's mean of its daily score rows (total and pillars) over first..last, for reps with any."""
    rows = await conn.execute(_MEAN_DAILY, {"tenant_id": tenant_id, "model_version": model_version,
                                            "rep_ids": rep_ids, "first": first, "last": last})
    return {r.rep_id: {m: float(getattr(r, m)) for m in ("total", *PILLARS)} for r in rows}


_COUNTS = text("""
SELECT rep_id, pillar, count(*) AS events
FROM scored_events
WHERE tenant_id = :tenant_id AND model_version = :model_version AND rep_id = ANY(CAST(:rep_ids AS text[]))
  AND event_time >= :start AND event_time < :end
GROUP BY rep_id, pillar
""")


async def activity_counts(conn: AsyncConnection, tenant_id: str, model_version: str, rep_ids: list[str],
                          start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Scored events per rep and pillar with time in [start, end), from the ledger; "total" is their sum."""
    rows = await conn.execute(_COUNTS, {"tenant_id": tenant_id, "model_version": model_version, "rep_ids": rep_ids,
                                        "start": start, "end": end})
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = out.setdefault(r.rep_id, {"total": 0, **{p: 0 for p in PILLARS}})
        counts[r.pillar] = counts.get(r.pillar, 0) + r.events
        counts["total"] += r.events
    return out


async def get_brands(conn: AsyncConnection, tenant_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(text("SELECT own, competitors, updated_at FROM tenant_brands WHERE tenant_id = :t"),
                              {"t": tenant_id})).first()
    return None if row is None else {"own": row.own, "competitors": list(row.competitors), "updated_at": row.updated_at}


_PUT_BRANDS = text("""
INSERT INTO tenant_brands (tenant_id, own, competitors) VALUES (:t, :own, CAST(:competitors AS jsonb))
ON CONFLICT (tenant_id) DO UPDATE SET own = excluded.own, competitors = excluded.competitors, updated_at = now()
RETURNING (xmax = 0) AS created
""")


async def put_brands(conn: AsyncConnection, tenant_id: str, own: str, competitors: list[str]) -> bool:
    """Declare the tenant's brands; True when it had none before."""
    row = (await conn.execute(_PUT_BRANDS, {"t": tenant_id, "own": own,
                                            "competitors": orjson.dumps(competitors).decode()})).one()
    return bool(row.created)


_MENTIONS = text("""
SELECT lower(brand) AS brand, source AS platform, (event_time AT TIME ZONE 'UTC')::date AS day,
       count(*) AS mentions, sum(reach) AS reach, sum(sentiment) AS sentiment_sum, count(sentiment) AS rated
FROM brand_mentions
WHERE tenant_id = :t AND event_time >= :start AND event_time < :end
GROUP BY 1, 2, 3
""")


async def mention_counts(conn: AsyncConnection, tenant_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Mentions per (lower-cased brand, platform, UTC day) with time in [start, end)."""
    rows = await conn.execute(_MENTIONS, {"t": tenant_id, "start": start, "end": end})
    return [dict(r._mapping) for r in rows]


def _amplified(team: bool, select: str, group: str) -> Any:
    join = "JOIN reps r ON r.tenant_id = e.tenant_id AND r.rep_id = e.rep_id AND r.team = :team" if team else ""
    return text(f"""
SELECT {select}
FROM scored_events e {join}
WHERE e.tenant_id = :t AND e.type = 'content.amplified' AND e.model_version = :model_version
  AND e.event_time >= :start AND e.event_time < :end
{group}
""")


async def amplifications(conn: AsyncConnection, tenant_id: str, model_version: str, start: datetime, end: datetime,
                         team: str | None) -> tuple[list[dict[str, Any]], int]:
    """Reps' content.amplified events from the ledger per (platform, UTC day): how many and the sum of their
    quality (the model's reach weighting), and how many reps were amplified; only ``team``'s reps when given."""
    params = {"t": tenant_id, "model_version": model_version, "start": start, "end": end, "team": team}
    rows = await conn.execute(_amplified(
        team is not None,
        "e.source AS platform, (e.event_time AT TIME ZONE 'UTC')::date AS day, count(*) AS amplifications, "
        "sum(e.quality) AS reach_weighted", "GROUP BY 1, 2"), params)
    reps = (await conn.execute(_amplified(team is not None, "count(DISTINCT e.rep_id)", ""), params)).scalar_one()
    return [dict(r._mapping) for r in rows], int(reps)
