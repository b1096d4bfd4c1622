"""SQL of the read API; every query is scoped by tenant."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import rep_score_daily, rep_scores


async def current_score(conn: AsyncConnection, tenant_id: str, rep_id: str) -> dict[str, Any] | None:
    row = await conn.execute(
        select(rep_scores).where(rep_scores.c.tenant_id == tenant_id, rep_scores.c.rep_id == rep_id)
    )
    found = row.mappings().one_or_none()
    return dict(found) if found else None


async def daily_history(
    conn: AsyncConnection, tenant_id: str, rep_id: str, start: date, end: date
) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(rep_score_daily)
        .where(
            rep_score_daily.c.tenant_id == tenant_id,
            rep_score_daily.c.rep_id == rep_id,
            rep_score_daily.c.day >= start,
            rep_score_daily.c.day <= end,
        )
        .order_by(rep_score_daily.c.day)
    )
    return [dict(r) for r in rows.mappings()]
