"""A small in-process cache for lookups that may be a few seconds stale (API keys, webhook endpoints)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Keeps a found value for ``ttl`` seconds and a miss (None) for ``miss_ttl``; cleared when full."""

    def __init__(self, ttl: float, miss_ttl: float, max_entries: int = 10_000) -> None:
        self._ttl, self._miss_ttl, self._max = ttl, miss_ttl, max_entries
        self._entries: dict[str, tuple[float, V | None]] = {}

    async def get(self, key: str, load: Callable[[str], Awaitable[V | None]]) -> V | None:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await load(key)
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (now + (self._ttl if value is not None else self._miss_ttl), value)
        return value
