"""Counts behind the per-tenant quotas (reps, parked identities): SQL only, on the caller's connection."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import rep_scores, reps, unclaimed_identities


async def directory_reps(conn: AsyncConnection, tenant_id: str) -> int:
    """The tenant's directory entries (an index-only count on the primary key)."""
    return int((await conn.execute(select(func.count()).select_from(reps).where(reps.c.tenant_id == tenant_id)))
               .scalar_one())


async def per_tenant(conn: AsyncConnection) -> dict[str, tuple[int, int]]:
    """tenant id -> (scored reps, identities with parked events), for every tenant that has any."""
    out: dict[str, tuple[int, int]] = {}
    for tenant_id, n in await conn.execute(select(rep_scores.c.tenant_id, func.count()).group_by(rep_scores.c.tenant_id)):
        out[str(tenant_id)] = (int(n), 0)
    u = unclaimed_identities.c
    for tenant_id, n in await conn.execute(select(u.tenant_id, func.count()).where(u.parked > 0).group_by(u.tenant_id)):
        out[str(tenant_id)] = (out.get(str(tenant_id), (0, 0))[0], int(n))
    return out
