"""`make run` supervises: kill -9 of each process of the stack (scorer, ingest, sink, api, Kafka, Postgres) while
events flow, and the supervisor brings each back (and says so); every event acknowledged meanwhile ends scored
exactly once. (Ctrl-C stopping everything is checked by the fixture's teardown, tests/ops/conftest.py.)"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
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


async def test_every_process_killed_comes_back_and_every_acked_event_is_scored_once(supervised: Supervised) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"supervision-{os.urandom(4).hex()}", "--json"))
    sender = RetryingSender(stack.ingest_url, tenant["api_key"])
    rng = random.Random(11)
    now = datetime.now(UTC)
    reps = [f"sup-rep-{i}" for i in range(6)]

    def batch(n: int) -> list[dict]:
        return [cloud_event(rng.choice(reps), rng.choice(TYPES), time=now - timedelta(hours=rng.uniform(1, 200)))
                for _ in range(n)]

    async def flow_until(stop: asyncio.Event) -> None:
        """Batches of 10, one after another, until ``stop`` (each retried until acknowledged)."""
        while not stop.is_set():
            await sender.send(batch(10))
            await asyncio.sleep(0.05)

    for name in ("scorer", "ingest", "sink", "api", "kafka", "postgres"):
        old = supervised.pid(name)
        assert old, f"no pid for {name}"
        mark = len(supervised.text())
        stop = asyncio.Event()
        flowing = asyncio.create_task(flow_until(stop))
        await asyncio.sleep(1.0)
        before = len(sender.acked)
        os.kill(old, signal.SIGKILL)  # while events flow
        await asyncio.to_thread(wait_restarted, supervised, name, old, mark)
        if name in ("kafka", "postgres"):  # detached: found dead through their pid files
            assert f"supervisor: {name} is not running" in supervised.text()[mark:]
        else:
            assert f"{name} (pid {old}) was killed by SIGKILL" in supervised.text()[mark:]
            await asyncio.to_thread(stack.wait_ready, name, 180)
        await asyncio.sleep(1.0)
        stop.set()
        await flowing
        assert len(sender.acked) > before, f"nothing was acknowledged around the kill of {name}"

    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as api:
        await assert_exactly_once(api, tenant["api_key"], sender.by_rep(), timeout=240)
        assert (await api.get("/readyz")).status_code == 200
    assert sender.retried > 0  # the faults were felt by the sender (503s or refused connections)
