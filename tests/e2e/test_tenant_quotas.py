"""Per-tenant quotas on the real stack: directory reps at the api (403 problem+json past it), reps created by
events and dead letters at the scorer (past the rep quota events are dead-lettered; past the dead-letter
quota those are dropped and counted)."""

from __future__ import annotations

import asyncio
import time

from services.api.deadletters import list_dead_letters
from tests.e2e.helpers import wait_for_score
from tests.e2e.test_erasure import metric
from tests.factories import bearer, cloud_event


async def test_the_directory_refuses_new_reps_past_the_quota(stack, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("quota-a"), tenant_factory("quota-b")
    stack.stop_service("api")
    stack.start_service("api", {"SSI_QUOTA_REPS_PER_TENANT": "2"})
    try:
        stack.wait_ready("api", 120)
        for rep in ("r1", "r2"):
            assert (await api.put(f"/v1/reps/{rep}", json={"name": rep}, headers=bearer(a["api_key"]))).status_code == 201
        refused = await api.put("/v1/reps/r3", json={"name": "r3"}, headers=bearer(a["api_key"]))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["quota"] == "reps" and refused.json()["limit"] == 2
        assert (await api.get("/v1/reps/r3", headers=bearer(a["api_key"]))).status_code == 404
        # an existing rep still changes, another tenant has its own quota
        assert (await api.put("/v1/reps/r1", json={"name": "R1"}, headers=bearer(a["api_key"]))).status_code == 200
        assert (await api.put("/v1/reps/r3", json={"name": "r3"}, headers=bearer(b["api_key"]))).status_code == 201
        assert await metric(stack.api_port, "ssi_api_quota_refusals_total", 'kind="reps"') >= 1
    finally:
        stack.stop_service("api")
        stack.start_service("api")
        stack.wait_ready("api", 120)


async def test_the_scorer_dead_letters_reps_past_the_quota_and_drops_dead_letters_past_theirs(  # type: ignore[no-untyped-def]
    stack, ingest, api, tenant
) -> None:
    key, tid = tenant["api_key"], tenant["tenant_id"]
    stack.stop_service("scorer")
    stack.start_service("scorer", {"SSI_QUOTA_REPS_PER_TENANT": "2", "SSI_QUOTA_DEAD_LETTERS_PER_TENANT_HOUR": "1"})
    try:
        stack.wait_ready("scorer", 180)
        for rep in ("q1", "q2"):
            assert (await ingest.post("/v1/events", json=[cloud_event(rep)], headers=bearer(key))).status_code == 202
            await wait_for_score(api, key, rep, 1)
        before = await metric(stack.scorer_port, "ssi_scorer_quota_refusals_total", 'kind="dead_letters"')
        # two more new reps: both refused by the rep quota; the first refusal is dead-lettered, the second dropped
        for rep in ("q3", "q4"):
            assert (await ingest.post("/v1/events", json=[cloud_event(rep)], headers=bearer(key))).status_code == 202
        deadline = time.monotonic() + 120
        while await metric(stack.scorer_port, "ssi_scorer_quota_refusals_total", 'kind="reps"') < 2:
            assert time.monotonic() < deadline, "the scorer never refused the reps past the quota"
            await asyncio.sleep(0.5)
        # an existing rep is still scored
        assert (await ingest.post("/v1/events", json=[cloud_event("q1", "comment.posted")],
                                  headers=bearer(key))).status_code == 202
        await wait_for_score(api, key, "q1", 2)
        for rep in ("q3", "q4"):
            assert (await api.get(f"/v1/reps/{rep}/score", headers=bearer(key))).status_code == 404
        letters = await list_dead_letters(stack.kafka_bootstrap, tid, "rep quota", 100)
        assert len(letters) == 1 and "SSI_QUOTA_REPS_PER_TENANT" in letters[0]["reason"]
        after = await metric(stack.scorer_port, "ssi_scorer_quota_refusals_total", 'kind="dead_letters"')
        assert after - before == 1
    finally:
        stack.stop_service("scorer")
        stack.start_service("scorer")
        stack.wait_ready("scorer", 180)


async def test_the_scorer_dead_letters_events_of_identities_past_the_parked_quota(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    import json
    import uuid

    from tests.e2e.test_webhooks import add_endpoint, hmac_b64, now_ms, wait_for_unclaimed

    secret = "x-consumer-secret"
    url = add_endpoint(stack, tenant, "x", secret)

    async def like(account: str) -> None:
        body = json.dumps({"for_user_id": account, "favorite_events": [{
            "id": uuid.uuid4().hex, "created_at": "Mon Mar 26 16:33:26 +0000 2018", "timestamp_ms": now_ms() - 5000,
            "favorited_status": {"id_str": "42", "user": {"id_str": account}},
            "user": {"id_str": "777", "followers_count": 12000}}]}).encode()
        headers = {"x-twitter-webhooks-signature": "sha256=" + hmac_b64(secret.encode(), body),
                   "content-type": "application/json"}
        assert (await ingest.post(url, content=body, headers=headers)).status_code == 200

    first, second = (str(uuid.uuid4().int % 10**18) for _ in range(2))
    stack.stop_service("scorer")
    stack.start_service("scorer", {"SSI_QUOTA_PARKED_IDENTITIES_PER_TENANT": "1"})
    try:
        stack.wait_ready("scorer", 180)
        before = await metric(stack.scorer_port, "ssi_scorer_quota_refusals_total", 'kind="parked_identities"')
        await like(first)
        await wait_for_unclaimed(api, tenant, lambda ids: [(i["identity"], i["parked_events"]) for i in ids] == [(first, 1)])
        await like(second)  # a second unclaimed identity: past the quota
        await like(first)  # one more event for the identity already parked: still parked
        await wait_for_unclaimed(api, tenant, lambda ids: [(i["identity"], i["parked_events"]) for i in ids] == [(first, 2)])
        deadline = time.monotonic() + 120
        while not await list_dead_letters(stack.kafka_bootstrap, tenant["tenant_id"], "parked identity quota", 10):
            assert time.monotonic() < deadline, "the event past the parked quota was never dead-lettered"
            await asyncio.sleep(0.5)
        after = await metric(stack.scorer_port, "ssi_scorer_quota_refusals_total", 'kind="parked_identities"')
        assert after - before == 1
    finally:
        stack.stop_service("scorer")
        stack.start_service("scorer")
        stack.wait_ready("scorer", 180)
