"""The Kafka broker killed with -9 and restarted, and frozen with SIGSTOP for 20 s, under load. Meanwhile the
ingest answers 503 with Retry-After; the clients retry, and nothing acknowledged is lost. No service process
may exit (the harness checks): they reconnect by themselves."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from stack import Stack
from tests.faults.harness import Harness
from tests.faults.workload import Load

pytestmark = pytest.mark.timeout(600)


def refusals(load: Load, since: float) -> list[str | None]:
    """Retry-After of each 503 the ingest answered since ``since``."""
    return [a.retry_after for a in load.answers_since(since) if a.status == 503]


async def test_broker_killed_then_restarted(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        os.kill(stack.kafka_pid(), signal.SIGKILL)
        down = time.monotonic()
        await asyncio.sleep(12)
        answered = refusals(load, down)
        await asyncio.to_thread(stack.kafka, "start")
        assert answered and all(r and r.isdigit() for r in answered), answered  # 503 + Retry-After meanwhile

    report = await harness.run("kill -9 broker", fault, seed=21)
    assert report.ok, report.summary()


async def test_broker_frozen_for_20_seconds(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        pid = stack.kafka_pid()
        os.kill(pid, signal.SIGSTOP)
        frozen = time.monotonic()
        try:
            await asyncio.sleep(20)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert refusals(load, frozen), "the ingest never answered 503 while the broker was frozen"

    report = await harness.run("broker SIGSTOP 20s", fault, seed=22)
    assert report.ok, report.summary()
