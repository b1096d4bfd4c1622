"""Bearer API keys -> tenant id, with a short in-process cache so most requests cost no database round trip.

A revoked key stops working in every process within ``KEY_CACHE_SECONDS``: that is how long a process may
keep answering from its cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.api_keys import tenant_for_key
from shared.http.problems import Problem
from shared.ttlcache import TtlCache

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="ssi"'}
KEY_CACHE_SECONDS = 5.0


class TenantKeys:
    """Resolves API keys against the database; caches hits for ``ttl`` and misses for ``negative_ttl`` seconds."""

    def __init__(self, engine: AsyncEngine, ttl: float = KEY_CACHE_SECONDS, negative_ttl: float = 5.0) -> None:
        self._engine = engine
        self._cache: TtlCache[str] = TtlCache(ttl, negative_ttl)

    async def _load(self, key: str) -> str | None:
        async with self._engine.connect() as conn:
            return await tenant_for_key(conn, key)

    async def resolve(self, key: str) -> str | None:
        return await self._cache.get(key, self._load)


async def current_tenant(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Problem(401, "Unauthorized", "send 'Authorization: Bearer <tenant API key>'", headers=_UNAUTHORIZED_HEADERS)
    keys: TenantKeys = request.app.state.tenant_keys
    tenant = await keys.resolve(key.strip())
    if tenant is None:
        raise Problem(401, "Unauthorized", "the API key is unknown or revoked", headers=_UNAUTHORIZED_HEADERS)
    return tenant


TenantId = Annotated[str, Depends(current_tenant)]
