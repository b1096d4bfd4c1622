"""A tenant's API keys: several at once (so a key rotates without downtime), named, revocable, with the time
each was last used. A key is shown once at creation and stored as its SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import api_keys

KEY_PREFIX = "ssi_"
LAST_USED_RESOLUTION_SECONDS = 60
"""``last_used_at`` is written at most once a minute per key and process (a read costs no write)."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CreatedKey:
    key_id: str
    api_key: str


async def create_key(conn: AsyncConnection, tenant_id: str, name: str | None) -> CreatedKey:
    key, key_id = new_api_key(), str(uuid.uuid4())
    await conn.execute(insert(api_keys).values(id=key_id, tenant_id=tenant_id, key_hash=hash_key(key),
                                               prefix=key[:10], name=name))
    return CreatedKey(key_id=key_id, api_key=key)


async def list_keys(conn: AsyncConnection, tenant_id: str) -> list[dict[str, Any]]:
    """Every key of the tenant (revoked ones too), oldest first; never the key itself, only its first characters."""
    k = api_keys.c
    rows = await conn.execute(
        select(k.id.label("key_id"), k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at)
        .where(k.tenant_id == tenant_id)
        .order_by(k.created_at, k.id)
    )
    return [dict(r) for r in rows.mappings()]


async def revoke_key(conn: AsyncConnection, tenant_id: str, key_id: str) -> bool:
    """Revoke an active key of this tenant; False when the tenant has no such active key."""
    result = await conn.execute(
        update(api_keys)
        .where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return bool(result.rowcount)


async def tenant_for_key(conn: AsyncConnection, key: str) -> str | None:
    """The tenant id of an active key, or None; notes the use (to the minute)."""
    row = (
        await conn.execute(
            select(api_keys.c.id, api_keys.c.tenant_id, api_keys.c.last_used_at, func.now().label("now"))
            .where(api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None))
        )
    ).one_or_none()
    if row is None:
        return None
    last: datetime | None = row.last_used_at
    if last is None or (row.now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        await conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(last_used_at=func.now()))
        await conn.commit()
    return str(row.tenant_id)
