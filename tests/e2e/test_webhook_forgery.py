"""Handshakes are no signing oracle: a delivery forged through the X CRC or the LinkedIn validation is refused,
and a client hammering an endpoint's handshake gets 429 with Retry-After."""

from __future__ import annotations

import base64
import json
import uuid

from tests.e2e.test_webhooks import add_endpoint, claim, hmac_b64, now_ms


def favorite(account: str) -> bytes:
    return json.dumps({"for_user_id": account, "favorite_events": [{
        "id": uuid.uuid4().hex, "created_at": "Mon Mar 26 16:33:26 +0000 2018", "timestamp_ms": now_ms() - 5000,
        "favorited_status": {"id_str": "42", "user": {"id_str": account}}, "user": {"id_str": "777"}}]}).encode()


async def test_a_delivery_forged_through_the_x_crc_is_refused(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    url = add_endpoint(stack, tenant, "x", "x-consumer-secret")
    account = str(uuid.uuid4().int % 10**18)
    await claim(api, tenant, "x-forged", x=account)
    body = favorite(account)
    oracle = await ingest.get(url, params={"crc_token": body.decode()})
    assert oracle.status_code == 400 and oracle.headers["content-type"].startswith("application/problem+json")
    assert "base64url" in oracle.json()["detail"] and "response_token" not in oracle.text
    forged_signature = oracle.json().get("response_token", "sha256=" + base64.b64encode(b"\0" * 32).decode())
    forged = await ingest.post(url, content=body, headers={"x-twitter-webhooks-signature": forged_signature,
                                                           "content-type": "application/json"})
    assert forged.status_code == 401
    genuine = await ingest.get(url, params={"crc_token": "dGhlIHJlYWwgb25l-_=="})
    assert genuine.json() == {"response_token": "sha256=" + hmac_b64(b"x-consumer-secret", b"dGhlIHJlYWwgb25l-_==")}


async def test_a_delivery_forged_through_the_linkedin_validation_is_refused(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    url = add_endpoint(stack, tenant, "linkedin", "li-client-secret")
    org = f"urn:li:organization:{uuid.uuid4().int % 10**9}"
    await claim(api, tenant, "li-forged", linkedin=org)
    body = json.dumps({"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [{
        "notificationId": uuid.uuid4().int % 10**12, "organizationalEntity": org, "action": "ADMIN_COMMENT",
        "lastModifiedAt": now_ms() - 10_000}]}).encode()
    oracle = await ingest.get(url, params={"challengeCode": "hmacsha256=" + body.decode()})
    assert oracle.status_code == 400 and "UUID" in oracle.json()["detail"]
    forged_signature = oracle.json().get("challengeResponse", "0" * 64)
    forged = await ingest.post(url, content=body, headers={"X-LI-Signature": forged_signature,
                                                           "content-type": "application/json"})
    assert forged.status_code == 401


async def test_handshakes_are_rate_limited_per_endpoint(stack, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    url = add_endpoint(stack, tenant, "x", "x-secret-rate")
    other = add_endpoint(stack, tenant, "x", "x-secret-other")
    answers = [(await ingest.get(url, params={"crc_token": f"token{i}"})).status_code for i in range(10)]
    assert answers == [200] * 10
    limited = await ingest.get(url, params={"crc_token": "token-more"})
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert (await ingest.get(other, params={"crc_token": "token"})).status_code == 200  # per endpoint
