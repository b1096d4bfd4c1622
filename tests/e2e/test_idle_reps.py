"""Growth bound: a rep idle beyond the model's horizon (12 half-lives of its slowest pillar) loses its scorer
state, with a changelog tombstone; a rep with recent activity keeps it; a dropped rep that comes back starts
afresh."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


async def dropped(port: int) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    found = re.search(r"^ssi_scorer_idle_reps_dropped_total ([0-9.e+]+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


async def test_an_idle_rep_loses_its_state_and_an_active_one_keeps_it(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    long_ago = datetime.now(UTC) - timedelta(days=400)

    async def send(*events: dict) -> None:
        assert (await ingest.post("/v1/events", json=list(events), headers=bearer(key))).status_code == 202

    stack.stop_service("scorer")
    stack.start_service("scorer", {"SSI_SCORER_IDLE_SWEEP_SECONDS": "1"})
    try:
        stack.wait_ready("scorer", 180)
        before = await dropped(stack.scorer_port)
        await send(cloud_event("idle-rep", "meeting.booked", time=long_ago),
                   cloud_event("idle-rep", "post.published", time=long_ago + timedelta(hours=1)),
                   cloud_event("busy-rep", "post.published"))
        await wait_for_score(api, key, "idle-rep", 2)
        await wait_for_score(api, key, "busy-rep", 1)
        deadline = time.monotonic() + 60
        while await dropped(stack.scorer_port) < before + 1:
            assert time.monotonic() < deadline, "the idle rep's state was never dropped"
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # more sweeps: the busy rep must survive them
        # the comeback is a meeting: in ssi-v3 a lone post that drew no engagement earns too little to see
        await send(cloud_event("idle-rep", "meeting.booked"), cloud_event("busy-rep", "comment.posted"))
        busy = await wait_for_score(api, key, "busy-rep", 2)
        assert busy["events"] == 2  # kept its state
        deadline = time.monotonic() + 60
        while True:  # the idle rep starts afresh: one event in its state, and a score from it alone
            body = (await api.get("/v1/reps/idle-rep/score", headers=bearer(key))).json()
            if body["events"] == 1 and body["total"] > 0.5:
                break
            assert time.monotonic() < deadline, body
            await asyncio.sleep(0.3)
    finally:
        stack.stop_service("scorer")
        stack.start_service("scorer")
        stack.wait_ready("scorer", 180)
