"""Polling helpers for tests that go through the whole pipeline."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx

from shared.scoring import PILLARS, RepState, apply_event, evaluate, load_default_model
from tests.factories import bearer

from stack import Stack  # deploy/, on sys.path from tests/conftest.py

MODEL = load_default_model()

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


def expected_pillars(events: list[dict], at: datetime) -> dict[str, float]:
    """The pure model applied to ``events`` (each once), read at ``at``."""
    state = RepState()
    for seq, e in enumerate(events):
        apply_event(MODEL, state, event_type=e["type"], source=e["source"],
                    event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq)
    return evaluate(MODEL, state, at.timestamp()).pillars


async def assert_exactly_once(api: httpx.AsyncClient, key: str, unique: dict[str, list[dict]], timeout: float) -> None:
    """Every rep reaches the count of its unique events, never more, and then equals the pure model on them."""
    deadline = time.monotonic() + timeout
    pending = set(unique)
    while pending and time.monotonic() < deadline:
        for rep in sorted(pending):
            response = await api.get(f"/v1/reps/{rep}/score", headers=bearer(key))
            if response.status_code != 200:
                continue
            body = response.json()
            assert body["events"] <= len(unique[rep]), f"{rep} counted an event twice: {body['events']}"
            if body["events"] == len(unique[rep]):
                want = expected_pillars(unique[rep], datetime.fromisoformat(body["as_of"]))
                for pillar in PILLARS:
                    assert abs(body["pillars"][pillar] - want[pillar]) <= 0.01, (rep, pillar, body, want)
                pending.discard(rep)
        await asyncio.sleep(0.3)
    assert not pending, f"events acked but never scored for {sorted(pending)}"


async def ranked_after(api: httpx.AsyncClient, key: str, rep: str, since: datetime,
                       timeout: float = WAIT_SECONDS) -> dict:
    """The rep's score once a read-model pass of the sink that started after ``since`` has completed (passes
    run every SSI_SINK_READ_MODEL_SECONDS; the sink's ssi_sink_read_model_pass_timestamp_seconds says when the
    last completed one started): its ranks then reflect every change stored before ``since``. (``ranks.as_of``
    moves only when the rep's counts do, so it cannot tell.)"""
    deadline = time.monotonic() + timeout
    last = None
    sink = f"http://127.0.0.1:{Stack.for_profile('test').sink_port}/metrics"
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < deadline:
            metrics = (await client.get(sink)).text
            passed = next((float(line.split()[-1]) for line in metrics.splitlines()
                           if line.startswith("ssi_sink_read_model_pass_timestamp_seconds ")), 0.0)
            if passed > since.timestamp():
                response = await api.get(f"/v1/reps/{rep}/score", headers=bearer(key))
                last = response
                if response.status_code == 200 and response.json()["ranks"]["as_of"] is not None:
                    return response.json()
            await asyncio.sleep(0.2)
    raise AssertionError(f"no ranks counted after {since} for {rep} after {timeout}s: {last and last.text}")
