"""The dedup table forgets ids after its retention (so it does not grow for ever), and only then."""

from __future__ import annotations

import asyncio
import re

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


async def test_ids_are_remembered_within_the_retention_and_forgotten_after(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    stack.stop_service("scorer")
    retention = 10.0  # seconds
    stack.start_service(
        "scorer", {"SSI_SCORER_DEDUP_RETENTION_DAYS": str(retention / 86_400)}
    )
    try:
        stack.wait_ready("scorer", 180)
        key = tenant["api_key"]
        first = cloud_event("dedup-rep", "comment.posted")

        async def send(*events: dict) -> None:
            assert (await ingest.post("/v1/events", json=list(events), headers=bearer(key))).status_code == 202

        await send(cloud_event("dedup-rep", "profile.viewed"))  # the restarted scorer is working again
        await wait_for_score(api, key, "dedup-rep", 1)
        await send(first, first)  # a retry within the retention: once
        await wait_for_score(api, key, "dedup-rep", 2)
        await asyncio.sleep(retention + 1)
        await send(cloud_event("dedup-rep", "profile.viewed"))  # an event of the same partition prunes
        await wait_for_score(api, key, "dedup-rep", 3)
        await send(first)  # the id is forgotten now: a late re-delivery counts again
        score = await wait_for_score(api, key, "dedup-rep", 4)
        assert score["events"] == 4
        metrics = (await api.get(f"http://127.0.0.1:{stack.scorer_port}/metrics")).text
        pruned = re.search(r"^ssi_scorer_dedup_pruned_total ([0-9.e+]+)$", metrics, re.M)
        assert pruned and float(pruned.group(1)) >= 1
    finally:
        stack.stop_service("scorer")
        stack.start_service("scorer")
        stack.wait_ready("scorer", 180)
