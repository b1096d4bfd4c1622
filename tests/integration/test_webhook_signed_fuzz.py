"""Fuzz signed webhook deliveries: each body is signed with the endpoint's real secret (or carries its real
Salesforce org id), so the fuzz gets past the signature to the parsers. Never a 5xx, refusals are
problem+json, every status is one the OpenAPI lists, and the ingest and the scorer keep serving."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.ingest.webhooks import hubspot, linkedin, meta, standard, x
from tests.services.ingest.webhooks.strategies import json_bodies, json_like

SECRETS = {"standard": "whsec_" + "c2lnbmVkLWZ1enotc2VjcmV0LW9mLTMyLWJ5dGVzISE=", "hubspot": "hs-fuzz-secret",
           "x": "x-fuzz-secret", "meta": "meta-fuzz-secret", "linkedin": "li-fuzz-secret",
           "salesforce": "00Do0000000fuzzEAA"}
VOCABULARY = {
    "standard": ["specversion", "id", "source", "type", "subject", "time", "data", "1.0", "linkedin",
                 "post.published", "counterpart", "is_decision_maker"],
    "hubspot": ["eventId", "subscriptionId", "portalId", "occurredAt", "subscriptionType", "eventType", "objectId",
                "propertyName", "propertyValue", "contact.creation", "deal.propertyChange", "dealstage"],
    "x": ["for_user_id", "favorite_events", "tweet_create_events", "follow_events", "direct_message_events",
          "id", "id_str", "user", "users", "source", "target", "type", "created_timestamp", "data", "event_uuid",
          "message_create", "sender_id", "recipient_id"],
    "meta": ["object", "entry", "id", "time", "changes", "messaging", "field", "value", "feed", "comments",
             "from", "item", "verb", "page", "instagram"],
    "linkedin": ["type", "notifications", "notificationId", "organizationalEntity", "action", "COMMENT",
                 "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "LEAD_ACTION", "leadGenFormResponse", "leadAction"],
}
DOCUMENTED: set[str] = set()


def envelope(provider: str) -> st.SearchStrategy[Any]:
    """Bodies shaped like the sender's, with fuzzed contents."""
    inner = json_like(VOCABULARY[provider])
    items = st.lists(st.dictionaries(st.sampled_from(VOCABULARY[provider]), inner, max_size=8), max_size=4)
    if provider == "hubspot":
        return items
    if provider == "x":
        return st.builds(lambda kind, events, user: {"for_user_id": user, kind: events},
                         st.sampled_from(VOCABULARY["x"][1:5]), items, inner)
    if provider == "meta":
        return st.builds(lambda obj, entries: {"object": obj, "entry": entries},
                         st.sampled_from(["page", "instagram", "whatsapp_business_account"]), items)
    if provider == "linkedin":
        return st.builds(lambda kind, notes: {"type": kind, "notifications": notes},
                         st.sampled_from(VOCABULARY["linkedin"][4:7]), items)
    return st.dictionaries(st.sampled_from(VOCABULARY["standard"]), inner, max_size=8)


def dump(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except (TypeError, ValueError):
        return b"{}"


text = st.text(max_size=40)
soap = st.builds(
    lambda ident, kind, fields: (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f'<OrganizationId>{SECRETS["salesforce"]}</OrganizationId><Notification><Id>{escape(ident)}</Id>'
        f'<sObject xsi:type="sf:{escape(kind)}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
        + "".join(f"<sf:{name}>{escape(value)}</sf:{name}>" for name, value in fields.items())
        + "</sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>").encode(),
    text.filter(lambda s: "\x00" not in s), st.sampled_from(["Event", "Task", "Opportunity", "Contact", "x", ""]),
    st.dictionaries(st.sampled_from(["Id", "OwnerId", "CreatedDate", "StageName", "Amount", "IsWon", "Subject"]),
                    text.map(lambda s: "".join(c for c in s if c.isprintable())), max_size=6),
)


def bodies(provider: str) -> st.SearchStrategy[bytes]:
    if provider == "salesforce":
        return soap | st.binary(max_size=300)
    return envelope(provider).map(dump) | json_bodies(VOCABULARY[provider])


def signed(provider: str, url: str, body: bytes) -> dict[str, str]:
    secret = SECRETS[provider]
    if provider == "standard":
        msg_id, stamp = f"msg_{uuid.uuid4().hex}", int(time.time())
        return {"webhook-id": msg_id, "webhook-timestamp": str(stamp),
                "webhook-signature": standard.sign(msg_id, stamp, body, secret), "content-type": "application/json"}
    if provider == "hubspot":
        stamp = str(int(time.time() * 1000))
        return {"X-HubSpot-Signature-v3": hubspot.sign_v3("POST", url, body, stamp, secret),
                "X-HubSpot-Request-Timestamp": stamp, "content-type": "application/json"}
    if provider == "x":
        return {"x-twitter-webhooks-signature": x.sign(body, secret), "content-type": "application/json"}
    if provider == "meta":
        return {"X-Hub-Signature-256": meta.sign(body, secret), "content-type": "application/json"}
    if provider == "linkedin":
        return {"X-LI-Signature": linkedin.sign(body, secret), "content-type": "application/json"}
    return {"content-type": "text/xml; charset=utf-8", "SOAPAction": '""'}


@pytest.fixture(scope="module")
def endpoints(stack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tenant = json.loads(stack.cli("tenant", "create", f"signed-fuzz-{os.urandom(6).hex()}", "--json"))
    out = {}
    for provider, secret in SECRETS.items():
        args = ["webhook", "add", tenant["tenant_id"], provider, "--secret", secret, "--json"]
        if provider == "meta":
            args += ["--verify-token", "token"]
        out[provider] = json.loads(stack.cli(*args))["url"]
    schema = httpx.get(f"{stack.ingest_url}/openapi.json", timeout=30).json()
    DOCUMENTED.update(schema["paths"]["/v1/webhooks/{provider}/{endpoint_id}"]["post"]["responses"])
    return out


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), provider=st.sampled_from(sorted(SECRETS)))
def test_signed_garbage_reaches_the_parsers_and_never_gives_a_5xx(endpoints, data, provider) -> None:  # type: ignore[no-untyped-def]
    url = endpoints[provider]
    body = data.draw(bodies(provider))
    response = httpx.post(url, content=body, headers=signed(provider, url, body), timeout=30)
    status = response.status_code
    event(f"{provider} {status}")
    assert status < 500, (provider, status, response.text[:300], body[:300])
    assert str(status) in DOCUMENTED, (provider, status, response.text[:200])
    assert status != 401, (provider, response.text[:300])  # the signature held: the parsers decided
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text[:200]
    elif provider == "salesforce":
        assert b"<Ack>true</Ack>" in response.content
    else:
        assert response.json()["accepted"] >= 0  # an empty batch is accepted as nothing


def test_ingest_and_scorer_still_serve_after_the_fuzzing(stack, endpoints) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(f"{stack.ingest_url}/readyz", timeout=10).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{stack.scorer_port}/readyz", timeout=10).status_code == 200
