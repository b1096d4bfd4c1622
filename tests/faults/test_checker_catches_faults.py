"""The checker fails when it should: a copy of the pipeline whose scorer drops one batch, then one whose scorer
applies one record twice (test-only switches, refused unless SSI_ENV=test), and the checker reports the lost
events and the doubled one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from stack import Stack
from tests.faults.copy_stack import copy_stack
from tests.faults.harness import Harness
from tests.faults.history import Report
from tests.faults.observe import drain_and_check
from tests.faults.workload import Load

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def copy(stack: Stack) -> Iterator[Stack]:
    with copy_stack(stack, "copy-faulty") as copy:
        yield copy


async def run_faulty(stack: Stack, copy: Stack, tenant: dict[str, str], switch: str, title: str) -> Report:
    """The faulty scorer on the copy, a workload of plain events through the copy's ingest, the check."""
    copy.start_service("scorer", {switch: "150"})
    try:
        await asyncio.to_thread(copy.wait_ready, "scorer", 180)
        harness = Harness(copy, tenant, webhooks=False, reps=6)
        workload = await harness.workload(seed=5)
        load = Load(workload).start()
        await load.wait_for_acks(600, since=load.started)
        load_end = await load.stop()
        return await drain_and_check(workload, title=title, api_url=stack.api_url, database_url=stack.database_url,
                                     bootstrap=copy.kafka_bootstrap, tenant_id=tenant["tenant_id"], load_end=load_end,
                                     timeout=45)
    finally:
        copy.stop_service("scorer")


async def test_a_scorer_that_drops_a_batch_is_caught(stack: Stack, copy: Stack,
                                                     tenant_factory: Callable[[str], dict[str, str]]) -> None:
    report = await run_faulty(stack, copy, tenant_factory("drop"), "SSI_SCORER_TEST_DROP_BATCH_AT_RECORD",
                              "scorer dropping a batch")
    assert "test fault: a batch of" in copy.log_tail("scorer", 400)
    assert not report.ok and report.lost_total > 0 and report.missing_keys
    assert report.doubled_total == 0 and report.drain_seconds is None


async def test_a_scorer_that_applies_a_record_twice_is_caught(stack: Stack, copy: Stack,
                                                              tenant_factory: Callable[[str], dict[str, str]]) -> None:
    report = await run_faulty(stack, copy, tenant_factory("double"), "SSI_SCORER_TEST_DOUBLE_AT_RECORD",
                              "scorer applying a record twice")
    assert "applied twice" in copy.log_tail("scorer", 400)
    assert not report.ok and report.doubled_total == 1 and report.lost_total == 0
