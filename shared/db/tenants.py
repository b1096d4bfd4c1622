"""Tenants and their API keys. A key is shown once at creation and stored as its SHA-256 hash.

Keys carry 256 bits of randomness, so a fast hash is the right tool (a password hash would only slow
every request down without adding safety).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import api_keys, tenants

KEY_PREFIX = "ssi_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CreatedTenant:
    tenant_id: str
    name: str
    api_key: str


async def create_tenant(conn: AsyncConnection, name: str) -> CreatedTenant:
    tenant_id = str(uuid.uuid4())
    key = new_api_key()
    await conn.execute(insert(tenants).values(id=tenant_id, name=name))
    await conn.execute(
        insert(api_keys).values(id=str(uuid.uuid4()), tenant_id=tenant_id, key_hash=hash_key(key), prefix=key[:10])
    )
    return CreatedTenant(tenant_id=tenant_id, name=name, api_key=key)


async def tenant_for_key(conn: AsyncConnection, key: str) -> str | None:
    """The tenant id of an active key, or None."""
    row = await conn.execute(
        select(api_keys.c.tenant_id).where(api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None))
    )
    value = row.scalar_one_or_none()
    return str(value) if value is not None else None
