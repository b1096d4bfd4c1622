"""TtlCache: one lookup per key however many requests miss at once, a refresh ahead of expiry, and never an
answer older than its time (the API-key revocation guarantee rests on it)."""

from __future__ import annotations

import asyncio

import pytest

from shared import ttlcache
from shared.ttlcache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ttlcache.time, "monotonic", fake)
    return fake


class Source:
    def __init__(self, value: str | None) -> None:
        self.value, self.calls = value, 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, key: str) -> str | None:
        self.calls += 1
        await self.gate.wait()
        return self.value


async def test_concurrent_misses_share_one_lookup(clock: Clock) -> None:
    cache: TtlCache[str] = TtlCache(5.0, 2.0)
    source = Source("tenant-a")
    source.gate.clear()
    waiting = [asyncio.create_task(cache.get("k", source)) for _ in range(50)]
    await asyncio.sleep(0)
    source.gate.set()
    assert await asyncio.gather(*waiting) == ["tenant-a"] * 50
    assert source.calls == 1


async def test_a_changed_value_is_seen_within_the_ttl_and_never_after(clock: Clock) -> None:
    cache: TtlCache[str] = TtlCache(5.0, 2.0)
    source = Source("tenant-a")
    assert await cache.get("k", source) == "tenant-a"
    source.value = None  # revoked
    clock.now += 3.9  # before the refresh window: the cached answer, no lookup
    assert await cache.get("k", source) == "tenant-a" and source.calls == 1
    source.gate.clear()
    clock.now += 0.2  # in the refresh window: still answered (within its 5 s), a lookup starts behind it
    assert await cache.get("k", source) == "tenant-a"
    await asyncio.sleep(0)
    assert source.calls == 2
    clock.now += 1.0  # 5.1 s after the first lookup, the refresh still running: never the old answer
    pending = asyncio.create_task(cache.get("k", source))
    await asyncio.sleep(0)
    assert not pending.done() and source.calls == 2  # it waits for the refresh in flight, no second lookup
    source.gate.set()
    assert await pending is None


async def test_a_refresh_replaces_the_entry_before_it_expires(clock: Clock) -> None:
    cache: TtlCache[str] = TtlCache(5.0, 2.0)
    source = Source("tenant-a")
    await cache.get("k", source)
    clock.now += 4.5
    await cache.get("k", source)  # starts the refresh
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    clock.now += 4.0  # 8.5 s after the first lookup, 4 s after the refresh: answered from the refreshed entry
    assert await cache.get("k", source) == "tenant-a" and source.calls == 2


async def test_a_failed_lookup_reaches_every_waiter_and_is_retried(clock: Clock) -> None:
    cache: TtlCache[str] = TtlCache(5.0, 2.0)

    async def broken(key: str) -> str | None:
        raise ConnectionError("database away")

    results = await asyncio.gather(*(cache.get("k", broken) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert await cache.get("k", Source("tenant-a")) == "tenant-a"


async def test_a_cancelled_caller_does_not_cancel_the_others_lookup(clock: Clock) -> None:
    cache: TtlCache[str] = TtlCache(5.0, 2.0)
    source = Source("tenant-a")
    source.gate.clear()
    first = asyncio.create_task(cache.get("k", source))
    second = asyncio.create_task(cache.get("k", source))
    await asyncio.sleep(0)
    first.cancel()
    source.gate.set()
    assert await second == "tenant-a" and source.calls == 1
