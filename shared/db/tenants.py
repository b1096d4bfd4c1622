"""Tenants. Each is created with its first API key (see ``shared.db.api_keys`` for keys)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.api_keys import KEY_PREFIX, create_key, hash_key, new_api_key, tenant_for_key
from shared.db.schema import tenants

__all__ = ["KEY_PREFIX", "CreatedTenant", "create_tenant", "hash_key", "new_api_key", "tenant_for_key"]


@dataclass(frozen=True)
class CreatedTenant:
    tenant_id: str
    name: str
    api_key: str
    key_id: str


async def create_tenant(conn: AsyncConnection, name: str) -> CreatedTenant:
    tenant_id = str(uuid.uuid4())
    await conn.execute(insert(tenants).values(id=tenant_id, name=name))
    key = await create_key(conn, tenant_id, "first")
    return CreatedTenant(tenant_id=tenant_id, name=name, api_key=key.api_key, key_id=key.key_id)
