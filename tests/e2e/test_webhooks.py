"""Every sender, its request built the way its documentation and SDK build it, verified at ingest, mapped in
the stream, attributed through the rep directory, scored and readable in the api. Forged, tampered and
stale requests are refused with 401."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from svix.webhooks import Webhook

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


def add_endpoint(stack, tenant: dict, provider: str, secret: str, verify_token: str | None = None) -> str:  # type: ignore[no-untyped-def]
    args = ["webhook", "add", tenant["tenant_id"], provider, "--secret", secret, "--json"]
    if verify_token:
        args += ["--verify-token", verify_token]
    created = json.loads(stack.cli(*args))
    assert created["url"].endswith(f"/v1/webhooks/{provider}/{created['endpoint_id']}")
    return created["url"]


async def claim(api: httpx.AsyncClient, tenant: dict, rep: str, **identities: str) -> None:
    response = await api.put(f"/v1/reps/{rep}", json={"name": rep, "identities": identities}, headers=bearer(tenant["api_key"]))
    assert response.status_code in (200, 201), response.text


async def wait_for_unclaimed(api: httpx.AsyncClient, tenant: dict, done) -> list[dict]:  # type: ignore[no-untyped-def]
    identities: list[dict] = []
    for _ in range(150):
        response = await api.get("/v1/identities/unclaimed", headers=bearer(tenant["api_key"]))
        assert response.status_code == 200, response.text
        identities = response.json()["identities"]
        if done(identities):
            return identities
        await asyncio.sleep(0.2)
    raise AssertionError(f"unclaimed identities never matched: {identities}")


def hmac_b64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def hmac_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def now_ms() -> int:
    return int(time.time() * 1000)


async def test_standard_webhooks_signed_by_svix(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    secret = "whsec_" + base64.b64encode(b"standard-webhooks-secret-32bytes").decode()
    url = add_endpoint(stack, tenant, "standard", secret)
    body = json.dumps(cloud_event("std-rep", "meeting.booked", source="hubspot")).encode()
    msg_id, stamp = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, stamp, body.decode())
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())),
               "webhook-signature": signature, "content-type": "application/json"}
    assert (await ingest.post(url, content=body, headers=headers)).status_code == 200
    assert (await ingest.post(url, content=body, headers=headers)).status_code == 200  # a retry: scored once
    score = await wait_for_score(api, tenant["api_key"], "std-rep", 1)
    assert score["events"] == 1 and score["pillars"]["relationships"] > 0

    tampered = await ingest.post(url, content=body.replace(b"meeting", b"meetinG"), headers=headers)
    assert tampered.status_code == 401
    wrong = Webhook("whsec_" + base64.b64encode(b"another-secret-of-32-bytes-long!").decode())
    forged = {**headers, "webhook-signature": wrong.sign(msg_id, stamp, body.decode())}
    assert (await ingest.post(url, content=body, headers=forged)).status_code == 401
    old = stamp - timedelta(minutes=10)
    stale = {**headers, "webhook-timestamp": str(int(old.timestamp())),
             "webhook-signature": Webhook(secret).sign(msg_id, old, body.decode())}
    assert (await ingest.post(url, content=body, headers=stale)).status_code == 401


async def test_hubspot_v3(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    secret, portal = "hubspot-client-secret", str(60000000 + int(uuid.uuid4().int % 1000000))
    url = add_endpoint(stack, tenant, "hubspot", secret)
    await claim(api, tenant, "hs-rep", hubspot=portal)
    events = [
        {"eventId": 100 + i, "subscriptionId": 7, "portalId": int(portal), "appId": 9, "occurredAt": now_ms() - 60_000,
         "subscriptionType": "contact.creation", "attemptNumber": 0, "objectId": 5000 + i, "changeSource": "CRM",
         "changeFlag": "NEW"}
        for i in range(3)
    ]
    body = json.dumps(events).encode()

    def signed(payload: bytes, stamp: int, key: str = secret) -> dict[str, str]:
        message = b"POST" + url.encode() + payload + str(stamp).encode()
        return {"X-HubSpot-Signature-v3": hmac_b64(key.encode(), message), "X-HubSpot-Request-Timestamp": str(stamp),
                "content-type": "application/json"}

    assert (await ingest.post(url, content=body, headers=signed(body, now_ms()))).status_code == 200
    score = await wait_for_score(api, tenant["api_key"], "hs-rep", 3)
    assert score["pillars"]["people"] > 0  # contact.creation -> lead.saved
    assert (await ingest.post(url, content=body + b" ", headers=signed(body, now_ms()))).status_code == 401
    assert (await ingest.post(url, content=body, headers=signed(body, now_ms(), "wrong"))).status_code == 401
    stale = now_ms() - 6 * 60_000
    assert (await ingest.post(url, content=body, headers=signed(body, stale))).status_code == 401


async def test_x_crc_signature_and_parking_until_a_rep_claims_the_account(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    secret, account = "x-consumer-secret", str(uuid.uuid4().int % 10**18)
    url = add_endpoint(stack, tenant, "x", secret)
    crc = await ingest.get(url, params={"crc_token": "challenge-123"})
    assert crc.status_code == 200
    assert crc.json() == {"response_token": "sha256=" + hmac_b64(secret.encode(), b"challenge-123")}
    body = json.dumps({
        "for_user_id": account,
        "favorite_events": [{
            "id": uuid.uuid4().hex, "created_at": "Mon Mar 26 16:33:26 +0000 2018", "timestamp_ms": now_ms() - 5000,
            "favorited_status": {"id_str": "42", "user": {"id_str": account}},
            "user": {"id_str": "777", "followers_count": 12000},
        }],
    }).encode()
    headers = {"x-twitter-webhooks-signature": "sha256=" + hmac_b64(secret.encode(), body),
               "content-type": "application/json"}
    assert (await ingest.post(url, content=body, headers=headers)).status_code == 200
    # nobody claims the account yet: parked, not lost, and the tenant sees it waiting
    assert (await api.get("/v1/reps/x-rep/score", headers=bearer(tenant["api_key"]))).status_code == 404
    waiting = await wait_for_unclaimed(api, tenant, lambda ids: [(i["platform"], i["identity"], i["parked_events"]) for i in ids] == [("x", account, 1)])
    assert waiting[0]["last_event_at"]
    as_csv = await api.get("/v1/identities/unclaimed", headers={**bearer(tenant["api_key"]), "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0] == "platform,identity,parked_events,last_event_at"
    assert as_csv.text.splitlines()[1].startswith(f"x,{account},1,")
    await claim(api, tenant, "x-rep", x=account)
    score = await wait_for_score(api, tenant["api_key"], "x-rep", 1)
    await wait_for_unclaimed(api, tenant, lambda ids: ids == [])
    assert score["pillars"]["brand"] > 0  # someone liked the rep's post: engagement received
    forged = {**headers, "x-twitter-webhooks-signature": "sha256=" + hmac_b64(b"wrong", body)}
    assert (await ingest.post(url, content=body, headers=forged)).status_code == 401
    assert (await ingest.post(url, content=body[:-1] + b" }", headers=headers)).status_code == 401


async def test_meta_subscription_and_signed_changes(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    secret, token, page = "meta-app-secret", "my-verify-token", str(uuid.uuid4().int % 10**15)
    url = add_endpoint(stack, tenant, "meta", secret, verify_token=token)
    ok = await ingest.get(url, params={"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": token})
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = await ingest.get(url, params={"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "nope"})
    assert bad.status_code == 403
    await claim(api, tenant, "fb-rep", facebook=page)
    stamp = int(time.time()) - 30
    body = json.dumps({"object": "page", "entry": [{"id": page, "time": stamp, "changes": [
        {"field": "feed", "value": {"item": "comment", "verb": "add", "from": {"id": page, "name": "Rep Page"},
                                    "comment_id": f"{page}_1", "post_id": f"{page}_2", "created_time": stamp}},
        {"field": "feed", "value": {"item": "post", "verb": "add", "from": {"id": page},
                                    "post_id": f"{page}_3", "created_time": stamp}},
    ]}]}).encode()
    headers = {"X-Hub-Signature-256": "sha256=" + hmac_hex(secret.encode(), body), "content-type": "application/json"}
    assert (await ingest.post(url, content=body, headers=headers)).status_code == 200
    score = await wait_for_score(api, tenant["api_key"], "fb-rep", 2)
    assert score["pillars"]["insights"] > 0 and score["pillars"]["brand"] > 0
    wrong = {**headers, "X-Hub-Signature-256": "sha256=" + hmac_hex(b"other", body)}
    assert (await ingest.post(url, content=body, headers=wrong)).status_code == 401


async def test_linkedin_validation_and_signed_notifications(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    secret, org = "test-client-secret", f"urn:li:organization:{uuid.uuid4().int % 10**9}"
    url = add_endpoint(stack, tenant, "linkedin", secret)
    code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
    challenge = await ingest.get(url, params={"challengeCode": code})
    # the reference's computed vector for this secret and code
    assert challenge.json() == {"challengeCode": code,
                                "challengeResponse": "05f7c3a9fc0fd9476f5fa3a0f318d460b83aba7b241196a57cc44868a392fc57"}
    await claim(api, tenant, "li-rep", linkedin=org)
    body = json.dumps({"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [{
        "notificationId": uuid.uuid4().int % 10**12, "organizationalEntity": org, "action": "ADMIN_COMMENT",
        "sourcePost": "urn:li:share:7000000000000000000",
        "generatedActivity": "urn:li:comment:(urn:li:activity:7000000000000000001,7000000000000000002)",
        "lastModifiedAt": now_ms() - 10_000, "subscriber": "urn:li:person:abcDEF123"}]}).encode()
    headers = {"X-LI-Signature": hmac_hex(secret.encode(), b"hmacsha256=" + body), "content-type": "application/json"}
    assert (await ingest.post(url, content=body, headers=headers)).status_code == 200
    score = await wait_for_score(api, tenant["api_key"], "li-rep", 1)
    assert score["pillars"]["insights"] > 0
    body_only = {**headers, "X-LI-Signature": hmac_hex(secret.encode(), body)}  # the wrong reading of the docs
    assert (await ingest.post(url, content=body, headers=body_only)).status_code == 401


SOAP = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{org}</OrganizationId>
   <ActionId>04ko0000000xxxxxxx</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/30.0/{org}</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/30.0/{org}</PartnerUrl>
   <Notification>
    <Id>{notification}</Id>
    <sObject xsi:type="sf:Event" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{record}</sf:Id>
     <sf:CreatedDate>{created}</sf:CreatedDate>
     <sf:OwnerId>{owner}</sf:OwnerId>
     <sf:Subject>Discovery call</sf:Subject>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""


async def test_salesforce_outbound_message_is_acked_and_checked_for_its_org(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    org, owner = "00Do0000000abcdEAA", f"005o{uuid.uuid4().hex[:14]}"
    url = add_endpoint(stack, tenant, "salesforce", org)
    await claim(api, tenant, "sf-rep", salesforce=owner)
    created = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = SOAP.format(org=org, notification="04lo0000000aaaaaaa", record="00Uo0000000bbbbbbb", owner=owner,
                       created=created).encode()
    headers = {"content-type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    response = await ingest.post(url, content=body, headers=headers)
    assert response.status_code == 200 and b"<Ack>true</Ack>" in response.content
    score = await wait_for_score(api, tenant["api_key"], "sf-rep", 1)
    assert score["pillars"]["relationships"] > 0  # Event -> meeting.booked
    other_org = SOAP.format(org="00Do0000000zzzzEAA", notification="n", record="r", owner=owner, created=created)
    refused = await ingest.post(url, content=other_org.encode(), headers=headers)
    assert refused.status_code == 401 and b"<Ack>true</Ack>" not in refused.content
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
    assert (await ingest.post(url, content=bomb, headers=headers)).status_code == 400


@pytest.mark.parametrize("provider", ["standard", "hubspot", "x", "meta", "linkedin", "salesforce"])
async def test_unknown_or_mismatched_endpoints_are_404(ingest, provider) -> None:  # type: ignore[no-untyped-def]
    response = await ingest.post(f"/v1/webhooks/{provider}/not-an-endpoint", content=b"{}")
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")
