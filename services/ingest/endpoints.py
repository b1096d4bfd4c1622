"""Webhook endpoint lookup with a short cache: a delivery costs no database round trip, and a disabled or
re-keyed endpoint takes effect within ``ttl`` seconds."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.webhooks import Endpoint, find_endpoint
from shared.secretbox import SecretBox


class EndpointCache:
    def __init__(self, engine: AsyncEngine, box: SecretBox, ttl: float = 30.0, max_entries: int = 10_000) -> None:
        self._engine, self._box, self._ttl, self._max = engine, box, ttl, max_entries
        self._cache: dict[str, tuple[float, Endpoint | None]] = {}

    async def get(self, endpoint_id: str) -> Endpoint | None:
        now = time.monotonic()
        hit = self._cache.get(endpoint_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self._engine.connect() as conn:
            endpoint = await find_endpoint(conn, self._box, endpoint_id)
        if len(self._cache) >= self._max:
            self._cache.clear()
        self._cache[endpoint_id] = (now + (self._ttl if endpoint else 2.0), endpoint)
        return endpoint
