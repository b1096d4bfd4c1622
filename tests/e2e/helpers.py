"""Polling helpers for tests that go through the whole pipeline."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.factories import bearer

WAIT_SECONDS = 60


async def wait_for_score(api: httpx.AsyncClient, key: str, rep: str, events: int, timeout: float = WAIT_SECONDS) -> dict:
    """Poll the api until the rep's score reflects ``events`` scored events (bounded wait)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        response = await api.get(f"/v1/reps/{rep}/score", headers=bearer(key))
        last = response
        if response.status_code == 200 and response.json()["events"] >= events:
            return response.json()
        await asyncio.sleep(0.2)
    raise AssertionError(f"no score with {events} events for {rep} after {timeout}s: {last and last.text}")


async def wait_for_ledger(api: httpx.AsyncClient, key: str, rep: str, at: str, events: int) -> dict:
    """Poll a point-in-time read until the ledger holds ``events`` events up to ``at``."""
    deadline = time.monotonic() + WAIT_SECONDS
    last = None
    while time.monotonic() < deadline:
        response = await api.get(f"/v1/reps/{rep}/score", params={"at": at}, headers=bearer(key))
        last = response
        if response.status_code == 200 and response.json()["events"] >= events:
            return response.json()
        await asyncio.sleep(0.2)
    raise AssertionError(f"ledger of {rep} never reached {events} events up to {at}: {last and last.text}")
