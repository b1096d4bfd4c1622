"""Bearer API keys -> tenant id, with a short in-process cache so a request costs no database round trip."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.tenants import tenant_for_key
from shared.http.problems import Problem

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="ssi"'}


class TenantKeys:
    """Resolves API keys against the database; caches hits for ``ttl`` and misses for ``negative_ttl`` seconds."""

    def __init__(self, engine: AsyncEngine, ttl: float = 60.0, negative_ttl: float = 5.0, max_entries: int = 10_000):
        self._engine = engine
        self._ttl = ttl
        self._negative_ttl = negative_ttl
        self._max = max_entries
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def resolve(self, key: str) -> str | None:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self._engine.connect() as conn:
            tenant = await tenant_for_key(conn, key)
        if len(self._cache) >= self._max:
            self._cache.clear()
        self._cache[key] = (now + (self._ttl if tenant else self._negative_ttl), tenant)
        return tenant


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
