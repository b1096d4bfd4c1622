"""LinkedIn: reference-doc §6 (official partial vector as a format check, computed vectors), delivery, fuzz."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from services.ingest.webhooks import BadSignature, Inbound, MalformedPayload, WebhookError, linkedin

from .strategies import inbounds, json_bodies

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "test-client-secret"
CODE = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
# [COMPUTED] reference doc §6.4, clientSecret "test-client-secret".
BODY = (b'{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[{"notificationId":123456789,'
        b'"organizationalEntity":"urn:li:organization:2414183","action":"COMMENT","sourcePost":'
        b'"urn:li:share:7000000000000000000","generatedActivity":"urn:li:comment:(urn:li:activity:'
        b'7000000000000000001,7000000000000000002)","lastModifiedAt":1700000000000,"subscriber":'
        b'"urn:li:person:abcDEF123"}]}')
SIG = "aba72f1a6fc90594c420b76db8f10cca4a965e40122cad936cc5c7573eacbb6c"
BODY_ONLY_SIG = "f87ae00fdb0c04f5e76c6433dfd1a5653ce46503e666aa8acf8c5508acd634cc"  # "should NOT verify"
LEAD = (b'{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:abc","owner":'
        b'{"sponsoredAccount":"urn:li:sponsoredAccount:522"},"leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:'
        b'leadGenForm:9,1)","leadType":"SPONSORED","leadAction":"CREATED","occurredAt":1700000000000}')


def post(body: bytes, signature: str | None = None) -> Inbound:
    sig = linkedin.sign(body, SECRET) if signature is None else signature
    return Inbound("POST", "https://ingest.example.com/hooks/linkedin", {"X-LI-Signature": sig}, {}, body)


def test_official_validation_example_format() -> None:
    # [OFFICIAL] partial vector: challengeResponse 27b1d196...1514 for CODE; its secret is not published,
    # so only the shape is checked: 64 lowercase hex characters, keys as documented.
    answer = linkedin.validation_response(CODE, "unpublished-secret")
    assert set(answer) == {"challengeCode", "challengeResponse"} and answer["challengeCode"] == CODE
    assert re.fullmatch(r"[0-9a-f]{64}", answer["challengeResponse"])
    assert re.fullmatch(r"[0-9a-f]{64}", "27b1d19678542072a7f1d0ce845d0c78cec22567f413697e25648f44fa3d1514")


def test_computed_validation_vector() -> None:
    assert linkedin.validation_response(CODE, SECRET) == {
        "challengeCode": CODE, "challengeResponse": "05f7c3a9fc0fd9476f5fa3a0f318d460b83aba7b241196a57cc44868a392fc57"}
    assert linkedin.handshake({"challengeCode": CODE, "applicationId": "1"}, SECRET)["challengeCode"] == CODE


def test_handshake_without_code_is_400() -> None:
    with pytest.raises(MalformedPayload) as err:
        linkedin.handshake({}, SECRET)
    assert err.value.status == 400


def test_computed_signature_vector() -> None:
    assert linkedin.sign(BODY, SECRET) == SIG
    linkedin.verify(post(BODY, SIG), SECRET, NOW)
    linkedin.verify(post(BODY, "hmacsha256=" + SIG), SECRET, NOW)  # tolerated prefix
    linkedin.verify(post(BODY, SIG.upper()), SECRET, NOW)


def test_hmac_over_body_alone_does_not_verify() -> None:
    with pytest.raises(BadSignature):
        linkedin.verify(post(BODY, BODY_ONLY_SIG), SECRET, NOW)


def test_tampered_wrong_secret_missing_header() -> None:
    with pytest.raises(BadSignature) as err:
        linkedin.verify(post(BODY.replace(b"COMMENT", b"LIKE"), SIG), SECRET, NOW)
    assert err.value.status == 401 and SECRET not in err.value.reason
    with pytest.raises(BadSignature):
        linkedin.verify(post(BODY), "other", NOW)
    with pytest.raises(BadSignature):
        linkedin.verify(Inbound("POST", "https://h", {}, {}, BODY), SECRET, NOW)


def test_delivery_notifications_keyed_by_notification_id() -> None:
    [event] = linkedin.delivery(post(BODY))
    assert (event.id, event.kind) == ("123456789", "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS")
    assert event.event["action"] == "COMMENT"


def test_delivery_lead_action_and_unknown_type() -> None:
    [lead] = linkedin.delivery(post(LEAD))
    assert (lead.id, lead.kind) == ("urn:li:leadGenFormResponse:abc:CREATED", "LEAD_ACTION")
    [other] = linkedin.delivery(post(b'{"type":"SOMETHING_NEW","x":1}'))
    assert other.kind == "SOMETHING_NEW" and other.id == linkedin.delivery(post(b'{"type":"SOMETHING_NEW","x":1}'))[0].id


@pytest.mark.parametrize("body", [b"{}", b"[]", b'{"type":"T","notifications":[{}]}', b'{"notifications":{}}',
                                  b'{"type":"LEAD_ACTION"}', b"{"])
def test_delivery_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        linkedin.delivery(post(body))


NAMES = ["X-LI-Signature", "Content-Type"]
KEYS = ["type", "notifications", "notificationId", "action", "organizationalEntity", "leadAction",
        "leadGenFormResponse", "owner", "lastModifiedAt", "LEAD_ACTION"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(NAMES, json_bodies(KEYS)))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: linkedin.verify(inbound, SECRET, NOW), lambda: linkedin.delivery(inbound)):
        try:
            call()
        except WebhookError:
            pass


@pytest.mark.parametrize("code", [
    "hmacsha256={}", "hmacsha256=" + '{"type":"X","notifications":[]}', "890e4665-4dfe-4ab1-b689-ed553bceeed0x",
    "890e4665 4dfe 4ab1 b689 ed553bceeed0", "challenge", "890e46654dfe4ab1b689ed553bceeed0",
])
def test_a_challenge_code_that_is_not_a_uuid_is_refused(code: str) -> None:
    with pytest.raises(MalformedPayload, match="UUID"):
        linkedin.handshake({"challengeCode": code}, SECRET)
