"""A 3-broker KRaft cluster (deploy/kafka.sh cluster: replication factor 3, min.insync.replicas=2) under the
whole pipeline; one broker is killed with -9 during the load. The ingest keeps answering 202 (the partitions'
leadership moves to the other two, which still make an in-sync majority), and nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest

from stack import Stack
from tests.faults.copy_stack import copy_stack
from tests.faults.harness import Harness
from tests.faults.workload import Load

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def cluster(stack: Stack) -> Iterator[Stack]:
    with copy_stack(stack, "cluster", brokers=3, services=("ingest", "sink", "scorer")) as copy:
        yield copy


async def test_one_broker_of_three_killed_during_the_load(cluster: Stack,
                                                          tenant_factory: Callable[[str], dict[str, str]]) -> None:
    outage: dict[str, object] = {}

    async def fault(load: Load) -> None:
        os.kill(cluster.kafka_pid(2), signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.sleep(20)
        answers = load.answers_since(killed)
        outage.update(acked=load.acked_since(killed), answers=len(answers),
                      refused=sum(1 for a in answers if not a.acknowledged and a.status != 429))
        await asyncio.to_thread(cluster.kafka, "start", 2)

    harness = Harness(cluster, tenant_factory("cluster"), webhooks=False)
    report = await harness.run("3 brokers, one killed", fault, seed=41)
    print(f"while one broker of three was down (20 s): {outage}", flush=True)
    assert report.ok, report.summary()
    assert outage["acked"], outage  # the ingest kept acknowledging with one broker down
