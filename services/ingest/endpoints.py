"""Webhook endpoint lookup with a short cache: a delivery costs no database round trip, and a disabled or
re-keyed endpoint takes effect within ``ttl`` seconds (5)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.webhooks import Endpoint, find_endpoint
from shared.secretbox import SecretBox
from shared.ttlcache import TtlCache


class EndpointCache:
    def __init__(self, engine: AsyncEngine, box: SecretBox, ttl: float = 5.0) -> None:
        self._engine, self._box = engine, box
        self._cache: TtlCache[Endpoint] = TtlCache(ttl, miss_ttl=2.0)

    async def _load(self, endpoint_id: str) -> Endpoint | None:
        async with self._engine.connect() as conn:
            return await find_endpoint(conn, self._box, endpoint_id)

    async def get(self, endpoint_id: str) -> Endpoint | None:
        return await self._cache.get(endpoint_id, self._load)
