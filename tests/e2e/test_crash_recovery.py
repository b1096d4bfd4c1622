"""Exactly once in effect: kill -9 the scorer while it works, restart it, re-send everything; every rep's
score must equal the pure model applied to the unique events (nothing lost, nothing counted twice)."""

from __future__ import annotations

import random
import signal
from datetime import UTC, datetime, timedelta

from shared.scoring import load_default_model
from tests.e2e.helpers import assert_exactly_once
from tests.factories import bearer, cloud_event

MODEL = load_default_model()
TYPES = sorted(MODEL.activities)


async def test_scorer_killed_mid_stream_loses_nothing_and_counts_nothing_twice(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    now = datetime.now(UTC)
    reps = [f"crash-rep-{i}" for i in range(12)]
    events = {
        rep: [cloud_event(rep, rng.choice(TYPES), time=now - timedelta(hours=rng.uniform(0.1, 24 * 20)))
              for _ in range(rng.randint(20, 120))]
        for rep in reps
    }
    everything = [e for batch in events.values() for e in batch]
    rng.shuffle(everything)
    key = tenant["api_key"]

    async def send(batch: list[dict]) -> None:
        response = await ingest.post("/v1/events", json=batch, headers=bearer(key))
        assert response.status_code == 202, response.text

    for i in range(0, len(everything), 50):
        await send(everything[i : i + 50])
        if i == 300:  # mid-stream: the scorer dies without a chance to commit or flush
            stack.processes["scorer"].send_signal(signal.SIGKILL)
            stack.processes["scorer"].wait()
    stack.start_service("scorer")
    stack.wait_ready("scorer", timeout=180)
    # the sender retries everything (as a sender whose acks got lost would), in another order
    rng.shuffle(everything)
    for i in range(0, len(everything), 200):
        await send(everything[i : i + 200])

    await assert_exactly_once(api, key, events, timeout=120)
