"""Meta Graph webhooks: reference-doc §3 (computed vectors, verification GET), delivery split, fuzz."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from services.ingest.webhooks import BadHandshake, BadSignature, Inbound, MalformedPayload, WebhookError, meta

from .strategies import inbounds, json_bodies

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "test-app-secret"
# [COMPUTED] reference doc §3.4, app_secret "test-app-secret" (Meta publishes no vector).
FEED = (b'{"object":"page","entry":[{"id":"1234567890","time":1700000000,"changes":[{"field":"feed","value":'
        b'{"item":"comment","verb":"add","comment_id":"111_222","post_id":"1234567890_333","from":{"id":"444",'
        b'"name":"Test User"},"message":"Hello","created_time":1700000000}}]}]}')
FEED_SIG = "sha256=33f1f13c362b307aac2ab8a998f959f07b0d83894fb519b9161b176d17fdc127"
ESCAPED = (b'{"object":"page","entry":[{"id":"1","time":1700000000,"changes":[{"field":"feed","value":'
           b'{"message":"\\u00e4\\u00f6\\u00e5"}}]}]}')  # six ASCII bytes per \u00XX, as Meta sends them
ESCAPED_SIG = "sha256=6e1eaa29e40537609d05ce52d22146e8bc1326506ab184e4051d8e7fa525a51a"
# Instagram Platform "Webhook Notification Examples" shape (doc §3.3): wrapped in [...], field/value in the entry.
INSTAGRAM = (b'[ { "object": "instagram", "entry": [ { "id": "17841400000", "time": 1700000100, "field": "comments", '
             b'"value": { "id": "1799", "from": { "id": "232", "username": "buyer" }, "text": "nice", '
             b'"media": { "id": "555", "media_product_type": "FEED" } } } ] } ]')


def post(body: bytes, signature: str | None = None, *, header: str = "X-Hub-Signature-256") -> Inbound:
    sig = signature or meta.sign(body, SECRET)
    return Inbound("POST", "https://ingest.example.com/hooks/meta", {header: sig, "Content-Type": "application/json"},
                   {}, body)


def test_computed_vectors() -> None:
    assert meta.sign(FEED, SECRET) == FEED_SIG
    assert meta.sign(ESCAPED, SECRET) == ESCAPED_SIG
    meta.verify(post(FEED, FEED_SIG), SECRET, NOW)
    meta.verify(post(ESCAPED, ESCAPED_SIG, header="x-hub-signature-256"), SECRET, NOW)


def test_reserialised_unicode_body_does_not_verify() -> None:
    redumped = json.dumps(json.loads(ESCAPED), ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(BadSignature):
        meta.verify(post(redumped, ESCAPED_SIG), SECRET, NOW)


def test_uppercase_hex_accepted() -> None:
    meta.verify(post(FEED, "sha256=" + FEED_SIG[7:].upper()), SECRET, NOW)


def test_tampered_wrong_secret_missing_or_bad_header() -> None:
    with pytest.raises(BadSignature) as err:
        meta.verify(post(FEED.replace(b"Hello", b"Hellp"), FEED_SIG), SECRET, NOW)
    assert err.value.status == 401 and SECRET not in err.value.reason
    with pytest.raises(BadSignature):
        meta.verify(post(FEED), "other-secret", NOW)
    with pytest.raises(BadSignature):
        meta.verify(Inbound("POST", "https://h", {}, {}, FEED), SECRET, NOW)
    with pytest.raises(BadSignature):
        meta.verify(post(FEED, FEED_SIG[7:]), SECRET, NOW)  # hex without "sha256="
    with pytest.raises(BadSignature):
        meta.verify(post(FEED, "sha1=" + FEED_SIG[7:]), SECRET, NOW)


def test_subscribe_doc_example() -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"}
    assert meta.subscribe(query, "meatyhamhock") == "1158201444"


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "wrong"},
    {"hub.mode": "unsubscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"},
    {"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock"},
    {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "meatyhamhoc"},
    {},
])
def test_subscribe_failures_are_403(query: dict[str, str]) -> None:
    with pytest.raises(BadHandshake) as err:
        meta.subscribe(query, "meatyhamhock")
    assert err.value.status == 403 and "meatyhamhock" not in err.value.reason


def test_delivery_feed_change() -> None:
    [event] = meta.delivery(post(FEED))
    assert event.kind == "page.feed" and event.id.startswith("page:1234567890:feed:")
    assert event.event["value"]["comment_id"] == "111_222"
    assert event.context == {"object": "page", "entry_id": "1234567890", "entry_time": 1700000000}


def test_delivery_id_is_stable_when_meta_restamps_the_batch() -> None:
    retry = FEED.replace(b'"time":1700000000', b'"time":1700000999')
    assert meta.delivery(post(FEED))[0].id == meta.delivery(post(retry))[0].id


def test_delivery_instagram_wrapped_shape() -> None:
    [event] = meta.delivery(post(INSTAGRAM))
    assert event.kind == "instagram.comments" and event.event["value"]["from"]["id"] == "232"


def test_delivery_batches_entries_changes_and_messaging() -> None:
    body = json.dumps({"object": "page", "entry": [
        {"id": "1", "time": 1, "changes": [{"field": "feed", "value": {"n": i}} for i in range(3)]},
        {"id": "2", "time": 1, "messaging": [{"sender": {"id": "9"}, "recipient": {"id": "2"}, "timestamp": 1,
                                              "message": {"mid": "m.1", "text": "hi"}}]}]}).encode()
    events = meta.delivery(post(body))
    assert [e.kind for e in events] == ["page.feed"] * 3 + ["page.messaging"]
    assert len({e.id for e in events}) == 4


@pytest.mark.parametrize("body", [b'{"entry":[]}', b'{"object":"page","entry":{}}', b'{"object":"page","entry":[1]}',
                                  b'{"object":"page","entry":[{"changes":[]}]}', b"[1]", b"nope",
                                  b'{"object":"page","entry":[{"id":"1","changes":[{"value":{}}]}]}'])
def test_delivery_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        meta.delivery(post(body))


def test_delivery_more_than_1000_updates_rejected() -> None:
    body = json.dumps({"object": "page", "entry": [
        {"id": str(n), "changes": [{"field": "feed", "value": {"i": i}} for i in range(501)]} for n in range(2)]})
    with pytest.raises(MalformedPayload):
        meta.delivery(post(body.encode()))


NAMES = ["X-Hub-Signature-256", "Content-Type"]
KEYS = ["object", "entry", "id", "time", "changes", "messaging", "field", "value", "from", "item", "verb"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(NAMES, json_bodies(KEYS)))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: meta.verify(inbound, SECRET, NOW), lambda: meta.delivery(inbound)):
        try:
            call()
        except WebhookError:
            pass
