"""Postgres stopped for 30 s while the sink writes: the api answers 503 (with Retry-After) for reads meanwhile,
the sink retries its batch and catches up once Postgres is back; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from stack import Stack
from tests.faults.harness import Harness
from tests.faults.workload import Load

pytestmark = pytest.mark.timeout(600)


async def test_postgres_stopped_for_30_seconds(stack: Stack, harness: Harness) -> None:
    reads: list[tuple[int, str | None]] = []

    async def fault(load: Load) -> None:
        await asyncio.to_thread(stack._script, "postgres.sh", "stop")
        try:
            async with httpx.AsyncClient(base_url=stack.api_url, timeout=15) as api:
                for _ in range(6):
                    await asyncio.sleep(5)
                    response = await api.get("/v1/reps/rep-00/score",
                                             headers={"Authorization": f"Bearer {harness.tenant['api_key']}"})
                    reads.append((response.status_code, response.headers.get("retry-after")))
        finally:
            await asyncio.to_thread(stack._script, "postgres.sh", "start")

    report = await harness.run("Postgres stopped 30s", fault, seed=31)
    print(f"api reads during the outage (status, Retry-After): {reads}", flush=True)
    assert reads and all(status == 503 and retry for status, retry in reads), reads
    assert report.ok, report.summary()
