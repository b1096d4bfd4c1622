"""Standard Webhooks / Svix: reference-doc §1 vectors, failure modes, delivery split, fuzz."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from services.ingest.webhooks import BadSignature, Inbound, MalformedPayload, StaleTimestamp, WebhookError, standard
from services.ingest.webhooks.errors import UnsupportedMediaType

from .strategies import inbounds, json_bodies

# Vector A, quoted from the reference doc §1.3 (standard-webhooks libraries/python/tests/test_webhooks.py
# ::test_sign_function; also Svix python/tests/test_webhooks.py::test_sign_function).
SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_A, TS_A, BODY_A = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
SIG_A = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
SIG_A_BAD = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="  # doc: "Vector A, negative case"
# Vector B, quoted from the reference doc §1.3 (standard-webhooks libraries/rust/src/lib.rs::test_sign).
SECRET_B = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
MSG_B, TS_B, BODY_B = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, b'{"email":"test@example.com","username":"test_user"}'
SIG_B = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
SIG_B_BAD = "v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU="  # doc: Rust test_no_verify

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLOUD_EVENT = (b'{"specversion":"1.0","id":"evt-1","source":"crm-bridge","type":"meeting.booked",'
               b'"time":"2026-06-01T11:59:00Z","subject":"rep-7","data":{"counterpart":{"id":"p-1"}}}')


def request(msg_id: str, ts: int | str, sig: str, body: bytes, *, prefix: str = "webhook-", **extra: str) -> Inbound:
    headers = {f"{prefix}id": msg_id, f"{prefix}timestamp": str(ts), f"{prefix}signature": sig,
               "content-type": "application/json", **extra}
    return Inbound("POST", "https://ingest.example.com/hooks/standard", headers, {}, body)


def fresh(body: bytes = CLOUD_EVENT, *, secret: str = SECRET_A, ts: int | None = None, msg: str = "msg_1") -> Inbound:
    ts = int(NOW.timestamp()) if ts is None else ts
    return request(msg, ts, standard.sign(msg, ts, body, secret), body)


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def test_vector_a_signature_reproduced() -> None:
    assert standard.sign(MSG_A, TS_A, BODY_A, SECRET_A) == SIG_A


def test_vector_a_verifies_with_frozen_clock() -> None:
    standard.verify(request(MSG_A, TS_A, SIG_A, BODY_A), SECRET_A, at(TS_A))


def test_vector_a_negative_case_rejected() -> None:
    with pytest.raises(BadSignature) as err:
        standard.verify(request(MSG_A, TS_A, SIG_A_BAD, BODY_A), SECRET_A, at(TS_A))
    assert err.value.status == 401


def test_vector_a_multi_signature_header_verifies() -> None:
    other = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    header = f"v1,{other} v2,{other} {SIG_A} v1,{other}"  # doc: "the third entry is the valid one"
    standard.verify(request(MSG_A, TS_A, header, BODY_A), SECRET_A, at(TS_A))


def test_vector_a_is_stale_under_the_real_clock() -> None:
    with pytest.raises(StaleTimestamp) as err:
        standard.verify(request(MSG_A, TS_A, SIG_A, BODY_A), SECRET_A, NOW)
    assert err.value.status == 401


def test_vector_b_reproduced_and_negative_rejected() -> None:
    assert standard.sign(MSG_B, TS_B, BODY_B, SECRET_B) == SIG_B
    standard.verify(request(MSG_B, TS_B, SIG_B, BODY_B), SECRET_B, at(TS_B))
    with pytest.raises(BadSignature):
        standard.verify(request(MSG_B, TS_B, SIG_B_BAD, BODY_B), SECRET_B, at(TS_B))


def test_signed_by_svix_library_verifies() -> None:
    webhooks = pytest.importorskip("svix.webhooks")
    sig = webhooks.Webhook(SECRET_A).sign("msg_svix", NOW, CLOUD_EVENT.decode())
    standard.verify(request("msg_svix", int(NOW.timestamp()), sig, CLOUD_EVENT), SECRET_A, NOW)
    svix_names = request("msg_svix", int(NOW.timestamp()), sig, CLOUD_EVENT, prefix="svix-")
    standard.verify(svix_names, SECRET_A, NOW)
    assert webhooks.Webhook(SECRET_A).sign(MSG_A, at(TS_A), BODY_A.decode()) == SIG_A


def test_secret_prefix_and_padding_are_optional() -> None:
    assert standard.parse_secret(SECRET_A) == standard.parse_secret(SECRET_A.removeprefix("whsec_"))
    # doc §1.2: the Python library accepts unpadded secrets (MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS + "=")
    assert standard.parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS") == standard.parse_secret(
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS=")
    with pytest.raises(ValueError):
        standard.parse_secret("whsec_!!!not base64!!!")


def test_fresh_request_accepted_with_header_case_variants() -> None:
    req = fresh()
    standard.verify(Inbound(req.method, req.url, {k.upper(): v for k, v in req.headers.items()}, {}, req.body),
                    SECRET_A, NOW)


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamp_outside_five_minutes_either_way_is_stale(skew: int) -> None:
    with pytest.raises(StaleTimestamp) as err:
        standard.verify(fresh(ts=int(NOW.timestamp()) + skew), SECRET_A, NOW)
    assert err.value.status == 401 and SECRET_A not in err.value.reason


@pytest.mark.parametrize("skew", [-299, 299])
def test_timestamp_inside_five_minutes_is_accepted(skew: int) -> None:
    standard.verify(fresh(ts=int(NOW.timestamp()) + skew), SECRET_A, NOW)


def test_non_numeric_timestamp_rejected() -> None:
    req = fresh()
    bad = Inbound(req.method, req.url, {**req.headers, "webhook-timestamp": "1674087231.5"}, {}, req.body)
    with pytest.raises(BadSignature):
        standard.verify(bad, SECRET_A, NOW)


def test_tampered_body_rejected() -> None:
    req = fresh()
    with pytest.raises(BadSignature) as err:
        standard.verify(Inbound(req.method, req.url, req.headers, {}, req.body + b" "), SECRET_A, NOW)
    assert err.value.status == 401 and SECRET_A not in err.value.reason


def test_wrong_secret_rejected() -> None:
    with pytest.raises(BadSignature):
        standard.verify(fresh(secret=SECRET_B), SECRET_A, NOW)


def test_tampered_id_rejected() -> None:
    req = fresh()
    with pytest.raises(BadSignature):
        standard.verify(Inbound(req.method, req.url, {**req.headers, "webhook-id": "msg_2"}, {}, req.body), SECRET_A, NOW)


def test_only_v1a_signatures_rejected() -> None:
    req = fresh()
    sig = req.headers["webhook-signature"].replace("v1,", "v1a,")
    with pytest.raises(BadSignature):
        standard.verify(Inbound(req.method, req.url, {**req.headers, "webhook-signature": sig}, {}, req.body),
                        SECRET_A, NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_rejected(missing: str) -> None:
    req = fresh()
    headers = {k: v for k, v in req.headers.items() if k != missing}
    with pytest.raises(BadSignature) as err:
        standard.verify(Inbound(req.method, req.url, headers, {}, req.body), SECRET_A, NOW)
    assert err.value.status == 401 and missing in err.value.reason


def test_delivery_is_one_event_keyed_by_webhook_id() -> None:
    events = standard.delivery(fresh(msg="msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"))
    assert len(events) == 1
    assert events[0].id == "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" and events[0].kind == "cloudevent"
    assert events[0].as_dict()["event"]["subject"] == "rep-7"


def test_delivery_same_id_on_retry() -> None:
    first = standard.delivery(fresh(msg="msg_x", ts=int(NOW.timestamp())))
    retry = standard.delivery(fresh(msg="msg_x", ts=int(NOW.timestamp()) + 5))  # new attempt time, same id
    assert first[0].id == retry[0].id


@pytest.mark.parametrize("body", [b"[1,2]", b"not json", b"", b"[" * 5000 + b"]" * 5000, b'"x"'])
def test_delivery_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedPayload) as err:
        standard.delivery(fresh(body))
    assert err.value.status == 400


def test_delivery_huge_body_rejected() -> None:
    with pytest.raises(MalformedPayload):
        standard.delivery(fresh(b'{"a":"' + b"x" * (6 * 1024 * 1024) + b'"}'))


def test_delivery_wrong_media_type() -> None:
    req = fresh()
    with pytest.raises(UnsupportedMediaType) as err:
        standard.delivery(Inbound(req.method, req.url, {**req.headers, "content-type": "text/xml"}, {}, req.body))
    assert err.value.status == 415


NAMES = ["webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-signature", "content-type"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(NAMES, json_bodies(["specversion", "id", "type", "data"])))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: standard.verify(inbound, SECRET_A, NOW), lambda: standard.delivery(inbound)):
        try:
            call()
        except WebhookError:
            pass


@settings(max_examples=50, deadline=None)
@given(json_bodies(["specversion", "id", "type", "data"]))
def test_fuzz_signed_bodies_verify_then_split(body: bytes) -> None:
    req = fresh(body)
    standard.verify(req, SECRET_A, NOW)
    try:
        assert len(standard.delivery(req)) == 1
    except MalformedPayload:
        pass
