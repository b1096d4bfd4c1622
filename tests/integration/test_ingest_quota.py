"""The per-tenant events-per-second quota on the real stack: an ingest started with a tiny quota accepts a
tenant's burst, then answers 429 problem+json with Retry-After (batches count as their events, webhook
deliveries share the tenant's bucket), while another tenant is unaffected; the refusals are counted."""

from __future__ import annotations

import json
import uuid

import httpx

from services.ingest.webhooks import x
from tests.factories import SINGLE, bearer, cloud_event
from tests.integration.extra_service import extra_service
from tests.integration.test_webhook_lifecycle import ssi

# one token per 1,000 s: nothing refills while the test runs, so no step depends on timing
TINY_QUOTA = {"SSI_INGEST_QUOTA_EVENTS_PER_SECOND": "0.001", "SSI_INGEST_QUOTA_BURST_EVENTS": "5"}


def _quota_problem(response: httpx.Response) -> dict:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    assert body["status"] == 429 and body["title"] == "Quota exceeded"
    assert body["quota"] == "events_per_second" and body["limit_events_per_second"] == 0.001
    assert body["burst_events"] == 5 and body["retry_after_seconds"] == int(retry_after)
    assert "0.001 events per second" in body["detail"]
    return body


def _refusals(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    lines = [line for line in text.splitlines()
             if line.startswith('ssi_ingest_quota_refusals_total{kind="events_per_second"}')]
    return float(lines[0].split()[-1]) if lines else 0.0


def test_past_its_quota_a_tenant_gets_429_with_retry_after_and_others_do_not(stack, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("quota-a"), tenant_factory("quota-b")
    secret = "quota-secret"
    created = ssi(stack, "webhook", "add", a["tenant_id"], "x", "--secret", "-", "--json", stdin=secret)
    assert created.returncode == 0, created.stderr
    endpoint_id = json.loads(created.stdout)["endpoint_id"]
    with extra_service(stack, "ingest", TINY_QUOTA, "ingest-tiny-quota") as (url, _log):
        with httpx.Client(base_url=url, timeout=30) as client:
            post = lambda tenant, body, kind=SINGLE: client.post(  # noqa: E731
                "/v1/events", json=body, headers=bearer(tenant["api_key"], kind))
            assert _refusals(url) == 0
            assert post(a, [cloud_event("r1") for _ in range(3)], "application/cloudevents-batch+json").status_code == 202
            assert post(a, cloud_event("r1")).status_code == 202  # 4 of the 5 taken
            too_big = post(a, [cloud_event("r1") for _ in range(2)], "application/cloudevents-batch+json")
            _quota_problem(too_big)  # a batch counts as its events: 2 > the 1 left, and nothing was taken
            assert post(a, cloud_event("r1")).status_code == 202  # so the last token is still there
            _quota_problem(post(a, cloud_event("r1")))

            # the other tenant has its own bucket, whole
            assert post(b, [cloud_event("r2") for _ in range(5)], "application/cloudevents-batch+json").status_code == 202

            # a webhook delivery of tenant A draws on the same bucket
            body = json.dumps({"for_user_id": "1", "favorite_events": [{"id": uuid.uuid4().hex}]}).encode()
            delivery = client.post(f"/v1/webhooks/x/{endpoint_id}", content=body, headers={
                "x-twitter-webhooks-signature": x.sign(body, secret), "content-type": "application/json"})
            _quota_problem(delivery)
            assert _refusals(url) == 3
    # the session's own ingest (default quota) never stopped and still accepts tenant A
    normal = httpx.post(f"{stack.ingest_url}/v1/events", json=cloud_event("r1"), headers=bearer(a["api_key"], SINGLE),
                        timeout=30)
    assert normal.status_code == 202


def test_the_429_is_documented_on_every_route_that_can_answer_it(stack) -> None:  # type: ignore[no-untyped-def]
    paths = httpx.get(f"{stack.ingest_url}/openapi.json", timeout=30).json()["paths"]
    for operation in (paths["/v1/events"]["post"], paths["/v1/webhooks/{provider}/{endpoint_id}"]["post"]):
        answer = operation["responses"]["429"]
        assert "quota" in answer["description"] and "Retry-After" in answer["headers"]
