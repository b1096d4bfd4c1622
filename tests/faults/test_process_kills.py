"""kill -9 of each service process under load, then a restart; and a scorer rebalance. Nothing is re-sent by
the test: only the clients retry. Each run ends with the history checker (tests/faults/history.py)."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from stack import Stack
from tests.faults.harness import Harness
from tests.faults.workload import Load

pytestmark = pytest.mark.timeout(600)


def kill9(stack: Stack, name: str) -> None:
    proc = stack.processes.pop(name)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


async def restart(stack: Stack, name: str, extra_env: dict[str, str] | None = None, wait: bool = True) -> None:
    stack.start_service(name, extra_env)
    if wait:
        await asyncio.to_thread(stack.wait_ready, name, 180)


async def test_scorer_killed_mid_batch_then_restarted(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        kill9(stack, "scorer")  # at whatever point it was
        print(f"\nkilled scorer at {time.monotonic():.1f}", flush=True)
        down = time.monotonic()
        await asyncio.sleep(5)
        backlog = load.acked_since(down - 1)
        # back with a backlog, and killed again inside a batch of it: some reps' writes issued, others not,
        # no offset of that batch committed (SSI_SCORER_TEST_KILL_AT_RECORD)
        stack.start_service("scorer", {"SSI_SCORER_TEST_KILL_AT_RECORD": str(max(1, backlog // 2))})
        proc = stack.processes["scorer"]
        assert await asyncio.to_thread(proc.wait, 180) == -signal.SIGKILL
        assert "test fault: SIGKILL" in stack.log_tail("scorer", 400)
        stack.processes.pop("scorer")
        print(f"scorer killed itself at {time.monotonic():.1f}", flush=True)
        await restart(stack, "scorer")
        print(f"scorer back at {time.monotonic():.1f}", flush=True)

    report = await harness.run("kill -9 scorer", fault, seed=11)
    assert report.ok, report.summary()


async def test_sink_killed_then_restarted(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        kill9(stack, "sink")
        await asyncio.sleep(5)
        await restart(stack, "sink")

    report = await harness.run("kill -9 sink", fault, seed=12)
    assert report.ok, report.summary()


async def test_ingest_killed_with_requests_in_flight_then_restarted(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        kill9(stack, "ingest")
        killed = time.monotonic()
        await asyncio.sleep(3)
        await restart(stack, "ingest")
        cut = [a for a in load.answers_since(killed - 1) if a.error and a.client != "quota"]
        assert cut, "no request was cut off by the kill"

    report = await harness.run("kill -9 ingest", fault, seed=13)
    assert report.ok, report.summary()
    assert report.failed_attempts, report.summary()  # the clients retried what the kill cut off


async def test_a_second_scorer_joins_then_leaves_while_events_flow(stack: Stack, harness: Harness) -> None:
    async def fault(load: Load) -> None:
        await restart(stack, "scorer-2")  # joins: the partitions are shared out again
        await asyncio.sleep(10)
        stack.stop_service("scorer-2")  # leaves (SIGTERM): its partitions go back to the first worker

    try:
        report = await harness.run("scorer rebalance", fault, seed=14)
    finally:
        stack.stop_service("scorer-2")
    assert report.ok, report.summary()
