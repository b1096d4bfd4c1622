"""Exactly once in effect under batches: a worker killed with -9 in the middle of a batch, and a worker killed
while a second one runs and a third joins. Nothing is re-sent by the test after the kill: every event acked
by ingest before it must be scored once, none twice (the duplicates in the stream are sender retries, sent
before the kill)."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from datetime import UTC, datetime, timedelta

import httpx

from shared.scoring import load_default_model
from tests.e2e.helpers import assert_exactly_once
from tests.factories import bearer, cloud_event

MODEL = load_default_model()
TYPES = sorted(MODEL.activities)


def workload(prefix: str, reps: int, seed: int) -> tuple[dict[str, list[dict]], list[dict]]:
    """Per rep its unique events, and the stream as senders deliver it: shuffled, with 10 % retried."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    unique = {
        f"{prefix}-{i}": [cloud_event(f"{prefix}-{i}", rng.choice(TYPES),
                                      time=now - timedelta(hours=rng.uniform(0.1, 24 * 30)))
                          for _ in range(rng.randint(100, 300))]
        for i in range(reps)
    }
    stream = [e for events in unique.values() for e in events]
    stream += rng.sample(stream, len(stream) // 10)
    rng.shuffle(stream)
    return unique, stream


async def scored(client: httpx.AsyncClient, port: int) -> float:
    try:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.HTTPError:
        return 0.0
    return sum(float(v) for v in re.findall(r'^ssi_scorer_events_total\{outcome="scored"\} ([0-9.e+]+)$', text, re.M))


async def post_all(ingest: httpx.AsyncClient, key: str, stream: list[dict], size: int = 250) -> None:
    for i in range(0, len(stream), size):
        response = await ingest.post("/v1/events", json=stream[i : i + size], headers=bearer(key))
        assert response.status_code == 202, response.text


async def kill_when_busy(stack, client: httpx.AsyncClient, name: str, port: int, low: float, high: float) -> float:  # type: ignore[no-untyped-def]
    """kill -9 ``name`` once its scored counter is between ``low`` and ``high`` (it is mid-stream, most
    likely inside a batch's writes); returns the count seen."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = await scored(client, port)
        if low <= done < high:
            stack.processes[name].send_signal(signal.SIGKILL)
            stack.processes[name].wait()
            stack.processes.pop(name)
            return done
        assert done < high, f"{name} finished before it could be killed ({done})"
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never got busy")


async def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    unique, stream = workload("midbatch", 24, seed=3)
    stack.stop_service("scorer")  # a backlog, so that the restarted worker takes large batches
    await post_all(ingest, tenant["api_key"], stream)
    # the worker SIGKILLs itself after a third of the stream, inside a batch: some reps of that batch have
    # their state, dedup, snapshot and ledger writes issued (some sent, some in the producer's buffer), the
    # others none, and no offset of the batch is committed
    proc = stack.start_service("scorer", {"SSI_SCORER_TEST_KILL_AT_RECORD": str(len(stream) // 3)})
    assert proc.wait(timeout=180) == -signal.SIGKILL
    assert "test fault: SIGKILL" in stack.log_tail("scorer", 200)
    stack.processes.pop("scorer")
    stack.start_service("scorer")  # nothing is re-sent: what was acked must come from Kafka and the tables
    stack.wait_ready("scorer", 180)
    await assert_exactly_once(api, tenant["api_key"], unique, timeout=180)


async def test_two_workers_one_killed_and_a_third_joining_lose_nothing_and_double_nothing(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    unique, stream = workload("rebalance", 30, seed=4)
    stack.start_service("scorer-2")
    stack.wait_ready("scorer-2", 180)
    try:
        half = len(stream) // 2
        await post_all(ingest, tenant["api_key"], stream[:half])
        async with httpx.AsyncClient(timeout=5) as client:
            await kill_when_busy(stack, client, "scorer", stack.scorer_port, 1, float("inf"))
        stack.start_service("scorer-3")  # joins while the dead worker's partitions are still assigned to it
        await post_all(ingest, tenant["api_key"], stream[half:])
        stack.wait_ready("scorer-3", 180)
        await assert_exactly_once(api, tenant["api_key"], unique, timeout=240)
    finally:
        for name in ("scorer-2", "scorer-3"):
            stack.stop_service(name)
        if "scorer" not in stack.processes:
            stack.start_service("scorer")
        stack.wait_ready("scorer", 180)
