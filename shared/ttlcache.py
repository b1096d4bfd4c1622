"""A small in-process cache for lookups that may be a few seconds stale (API keys, webhook endpoints)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Keeps a found value for ``ttl`` seconds and a miss (None) for ``miss_ttl``; cleared when full.

    An entry is never answered after its time is up, so a change in the database is seen within ``ttl``
    (``miss_ttl`` for a miss). Two things keep a busy key from costing a burst of lookups when it expires:
    concurrent misses of one key share one lookup, and a hit in the last ``refresh_ahead`` fraction of its
    time starts one lookup in the background whose answer replaces the entry (timed from when it started)
    while the old entry, still within its time, keeps answering. Before, every request in flight at the
    moment a busy API key expired ran its own query: 50 at once under 50 concurrent clients."""

    def __init__(self, ttl: float, miss_ttl: float, max_entries: int = 10_000, refresh_ahead: float = 0.2) -> None:
        self._ttl, self._miss_ttl, self._max = ttl, miss_ttl, max_entries
        self._refresh_ahead = refresh_ahead
        self._entries: dict[str, tuple[float, float, V | None]] = {}  # key -> (refresh from, expires, value)
        self._loading: dict[str, asyncio.Future[V | None]] = {}

    async def get(self, key: str, load: Callable[[str], Awaitable[V | None]]) -> V | None:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[1] > now:
            if hit[0] <= now and key not in self._loading:
                self._start(key, load, now).add_done_callback(_consume)  # the answer lands in the entry
            return hit[2]
        pending = self._loading.get(key)
        if pending is None:
            pending = self._start(key, load, now)
        return await asyncio.shield(pending)  # one caller cancelled must not cancel the others' lookup

    def _start(self, key: str, load: Callable[[str], Awaitable[V | None]], now: float) -> asyncio.Future[V | None]:
        future = asyncio.ensure_future(self._load(key, load, now))
        self._loading[key] = future
        return future

    async def _load(self, key: str, load: Callable[[str], Awaitable[V | None]], started: float) -> V | None:
        try:
            value = await load(key)
        finally:
            self._loading.pop(key, None)
        ttl = self._ttl if value is not None else self._miss_ttl
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (started + ttl * (1 - self._refresh_ahead), started + ttl, value)
        return value


def _consume(future: asyncio.Future) -> None:  # type: ignore[type-arg]
    """A background refresh's failure is not an error of any request: the entry expires as it would have,
    and the next request's own lookup reports the failure."""
    if not future.cancelled():
        future.exception()
