"""HubSpot downgrade: with the v3 header stripped, a v1/v2 signature is refused unless the endpoint allows
legacy signatures, and even then a replay older than the tolerance is refused."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from tests.e2e.test_webhooks import hmac_b64, now_ms


def add_hubspot(stack, tenant: dict, secret: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    created = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "hubspot", "--secret", secret, *extra, "--json"))
    return created["url"]


def events(occurred_ms: int) -> bytes:
    portal = 70000000 + uuid.uuid4().int % 1000000
    return json.dumps([{"eventId": uuid.uuid4().int % 10**9, "subscriptionId": 7, "portalId": portal, "appId": 9,
                        "occurredAt": occurred_ms, "subscriptionType": "contact.creation", "attemptNumber": 0,
                        "objectId": 42}]).encode()


def v1(secret: str, body: bytes) -> dict[str, str]:
    return {"X-HubSpot-Signature": hashlib.sha256(secret.encode() + body).hexdigest(),
            "X-HubSpot-Signature-Version": "v1", "content-type": "application/json"}


def v3(secret: str, url: str, body: bytes, stamp: int) -> dict[str, str]:
    return {"X-HubSpot-Signature-v3": hmac_b64(secret.encode(), b"POST" + url.encode() + body + str(stamp).encode()),
            "X-HubSpot-Request-Timestamp": str(stamp)}


async def test_stripping_v3_does_not_downgrade_to_a_legacy_signature(stack, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    secret = "hubspot-secret-" + uuid.uuid4().hex
    url = add_hubspot(stack, tenant, secret)
    body = events(now_ms() - 30_000)
    both = {**v1(secret, body), **v3(secret, url, body, now_ms())}  # what HubSpot sends
    assert (await ingest.post(url, content=body, headers=both)).status_code == 200
    stripped = await ingest.post(url, content=body, headers=v1(secret, body))
    assert stripped.status_code == 401 and "legacy" in stripped.json()["detail"]
    captured = events(now_ms() - 3_600_000)
    old_stamp = now_ms() - 6 * 60_000
    replay = await ingest.post(url, content=captured, headers={**v1(secret, captured), **v3(secret, url, captured, old_stamp)})
    assert replay.status_code == 401


async def test_an_endpoint_that_allows_legacy_signatures_still_refuses_old_replays(stack, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    secret = "hubspot-secret-" + uuid.uuid4().hex
    url = add_hubspot(stack, tenant, secret, "--allow-legacy-signatures")
    fresh = events(now_ms() - 30_000)
    assert (await ingest.post(url, content=fresh, headers=v1(secret, fresh))).status_code == 200
    captured = events(now_ms() - 10 * 60_000)  # a delivery captured ten minutes ago, replayed now
    replay = await ingest.post(url, content=captured, headers=v1(secret, captured))
    assert replay.status_code == 401 and "old" in replay.json()["detail"]
    forged = await ingest.post(url, content=fresh, headers=v1("wrong", fresh))
    assert forged.status_code == 401


def test_the_legacy_option_is_hubspots_only(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="HubSpot option"):
        stack.cli("webhook", "add", tenant["tenant_id"], "x", "--secret", "s", "--allow-legacy-signatures")
