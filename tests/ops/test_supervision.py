"""`make run` supervises: kill -9 of a service or of Kafka while events flow, and the supervisor brings each back
(and says so); every event acknowledged meanwhile ends scored exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta

import httpx

from shared.scoring import load_default_model
from tests.e2e.helpers import assert_exactly_once
from tests.factories import cloud_event
from tests.ops.conftest import Supervised
from tests.ops.sender import RetryingSender

TYPES = sorted(load_default_model().activities)


def wait_restarted(supervised: Supervised, name: str, old_pid: int, after: int, timeout: float = 180.0) -> int:
    supervised.wait_for_output(f"supervisor: {name} restarted", timeout, after=after)
    pid = supervised.pid(name)
    assert pid and pid != old_pid, (name, old_pid, pid)
    return pid


async def test_killed_services_and_kafka_come_back_and_every_acked_event_is_scored_once(supervised: Supervised) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"supervision-{os.urandom(4).hex()}", "--json"))
    sender = RetryingSender(stack.ingest_url, tenant["api_key"])
    rng = random.Random(11)
    now = datetime.now(UTC)
    reps = [f"sup-rep-{i}" for i in range(6)]

    def batch(n: int) -> list[dict]:
        return [cloud_event(rng.choice(reps), rng.choice(TYPES), time=now - timedelta(hours=rng.uniform(1, 200)))
                for _ in range(n)]

    async def flow(batches: int) -> None:
        for _ in range(batches):
            await sender.send(batch(20))

    await flow(3)
    for name in ("scorer", "ingest", "sink"):  # each killed while events flow
        old = supervised.pid(name)
        assert old, f"no pid file for {name}"
        mark = len(supervised.text())
        sending = asyncio.create_task(flow(5))
        await asyncio.sleep(0.2)
        os.kill(old, signal.SIGKILL)
        await sending
        wait_restarted(supervised, name, old, mark)
        assert f"{name} (pid {old}) was killed by SIGKILL" in supervised.text()[mark:]
        stack.wait_ready(name, timeout=180)

    old = supervised.pid("kafka")
    assert old
    mark = len(supervised.text())
    sending = asyncio.create_task(flow(5))
    await asyncio.sleep(0.2)
    os.kill(old, signal.SIGKILL)
    wait_restarted(supervised, "kafka", old, mark)
    await sending  # ingest answered 503 meanwhile; the sender retried until Kafka was back
    await flow(2)

    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as api:
        await assert_exactly_once(api, tenant["api_key"], sender.by_rep(), timeout=240)
    assert len(sender.acked) == 20 * (3 + 3 * 5 + 5 + 2)
    assert sender.retried > 0  # the faults were felt by the sender (503s or refused connections)


async def test_postgres_killed_is_restarted_and_the_api_answers_again(supervised: Supervised) -> None:
    stack = supervised.stack
    old = supervised.pid("postgres")
    assert old
    mark = len(supervised.text())
    os.kill(old, signal.SIGKILL)
    wait_restarted(supervised, "postgres", old, mark)
    deadline = time.monotonic() + 120
    status = None
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=10) as api:
        while time.monotonic() < deadline:
            status = (await api.get("/readyz")).status_code
            if status == 200:
                break
            await asyncio.sleep(0.5)
    assert status == 200, "the api never became ready again after Postgres came back"
