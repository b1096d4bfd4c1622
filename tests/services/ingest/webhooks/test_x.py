"""X Account Activity API: reference-doc §2 vectors (autohook POST signatures, computed CRC), delivery, fuzz."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from services.ingest.webhooks import BadSignature, Inbound, MalformedPayload, WebhookError, x

from .strategies import inbounds, json_bodies

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "consumer-secret"
# Payload examples from the reference doc §2.4 (docs `x-api/account-activity/introduction.mdx`), user objects filled.
FAVORITE = (b'{ "for_user_id": "2244994945", "favorite_events": [{ "id": "a7ba59eab0bfcba386f7acedac279542", '
            b'"created_at": "Mon Mar 26 16:33:26 +0000 2018", "timestamp_ms": 1522082006140, '
            b'"favorited_status": {"id_str": "1", "user": {"id_str": "2244994945"}}, '
            b'"user": {"id_str": "77", "followers_count": 1200} }] }')
FOLLOW = (b'{ "for_user_id": "2244994945", "follow_events": [{ "type": "follow", "created_timestamp": "1517588749178", '
          b'"target": {"id": "2244994945"}, "source": {"id": "3001969357"} }] }')
DM = (b'{ "for_user_id": "4337869213", "direct_message_events": [{ "type": "message_create", "id": "954491830116155396", '
      b'"created_timestamp": "1516403560557", "message_create": { "target": { "recipient_id": "4337869213" }, '
      b'"sender_id": "3001969357", "source_app_id": "13090192", "message_data": { "text": "Hello World!" } } }], '
      b'"apps": { "13090192": { "id": "13090192", "name": "FuriousCamperTestApp1" } }, '
      b'"users": { "3001969357": { "id": "3001969357", "screen_name": "furiouscamper", "followers_count": 22 }, '
      b'"999": {"id": "999"} } }')
DELETE = (b'{ "for_user_id": "930524282358325248", "tweet_delete_events": [{ "status": { "id": "1045405559317569537", '
          b'"user_id": "930524282358325248" }, "timestamp_ms": "1432228155593" }] }')
REVOKE = (b'{ "user_event": { "revoke": { "date_time": "2018-05-24T09:48:12+00:00", "target": { "app_id": "13090192" }, '
          b'"source": { "user_id": "63046977" } } } }')
XAA = (b'{ "data": { "event_uuid": "2080761390344937796", "filter": { "user_id": "1111111111111111111" }, '
       b'"event_type": "post.create", "tag": "posts", "payload": { }, "includes": { } } }')


def post(body: bytes, *, secret: str = SECRET, header: str = "x-twitter-webhooks-signature") -> Inbound:
    return Inbound("POST", "https://ingest.example.com/hooks/x", {header: x.sign(body, secret)}, {}, body)


@pytest.mark.parametrize(("body", "signature"), [
    # [SDK] xdevplatform/autohook test/signature.js, consumer_secret "test" (reference doc §2.5)
    (b"test=1&other_test=2", "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc="),
    (b'{"test_number":1,"test_string":"two"}', "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI="),
])
def test_autohook_signature_vectors(body: bytes, signature: str) -> None:
    x.verify(Inbound("POST", "https://h/x", {"x-twitter-webhooks-signature": signature}, {}, body), "test", NOW)
    x.verify(Inbound("POST", "https://h/x", {"X-Twitter-Webhooks-Signature": signature}, {}, body), "test", NOW)


def test_crc_computed_vector() -> None:
    # [COMPUTED] reference doc §2.5: consumer_secret "test", crc_token "challenge_string"
    assert x.crc_response("challenge_string", "test") == {
        "response_token": "sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4="}
    assert x.handshake({"crc_token": "challenge_string"}, "test") == x.crc_response("challenge_string", "test")


def test_crc_without_token_is_400() -> None:
    with pytest.raises(MalformedPayload) as err:
        x.handshake({}, "test")
    assert err.value.status == 400


def test_tampered_body_wrong_secret_missing_header() -> None:
    req = post(FAVORITE)
    x.verify(req, SECRET, NOW)
    with pytest.raises(BadSignature) as err:
        x.verify(Inbound("POST", req.url, req.headers, {}, FAVORITE.replace(b"77", b"78")), SECRET, NOW)
    assert err.value.status == 401 and SECRET not in err.value.reason
    with pytest.raises(BadSignature):
        x.verify(post(FAVORITE, secret="other"), SECRET, NOW)
    with pytest.raises(BadSignature):
        x.verify(Inbound("POST", req.url, {}, {}, FAVORITE), SECRET, NOW)


def test_signature_without_prefix_rejected() -> None:
    sig = x.sign(FAVORITE, SECRET).removeprefix("sha256=")
    with pytest.raises(BadSignature):
        x.verify(Inbound("POST", "https://h/x", {"x-twitter-webhooks-signature": sig}, {}, FAVORITE), SECRET, NOW)


def test_delivery_favorite_keyed_by_id_and_rep() -> None:
    [event] = x.delivery(post(FAVORITE))
    assert event.kind == "favorite_events" and event.id == "2244994945:favorite_events:a7ba59eab0bfcba386f7acedac279542"
    assert event.context == {"for_user_id": "2244994945"}


def test_delivery_follow_composite_id() -> None:
    [event] = x.delivery(post(FOLLOW))
    assert event.id == "2244994945:follow_events:follow:1517588749178:3001969357:2244994945"


def test_delivery_dm_keeps_participants_only() -> None:
    [event] = x.delivery(post(DM))
    assert event.id == "4337869213:direct_message_events:954491830116155396"
    assert set(event.context["users"]) == {"3001969357"}


def test_delivery_other_kinds() -> None:
    assert x.delivery(post(DELETE))[0].id == "930524282358325248:tweet_delete_events:1045405559317569537"
    revoke = x.delivery(post(REVOKE))
    assert revoke[0].kind == "user_event" and revoke[0].id == x.delivery(post(REVOKE))[0].id
    [xaa] = x.delivery(post(XAA))
    assert (xaa.id, xaa.kind, xaa.context) == ("2080761390344937796", "post.create", {"for_user_id": "1111111111111111111"})


def test_delivery_batch_and_tweets() -> None:
    body = (b'{"for_user_id":"1","tweet_create_events":[{"id_str":"10","user":{"id_str":"1"}},'
            b'{"id_str":"11","user":{"id_str":"2"}}],"favorite_events":[]}')
    assert [e.id for e in x.delivery(post(body))] == ["1:tweet_create_events:10", "1:tweet_create_events:11"]


@pytest.mark.parametrize("body", [b"{}", b"[]", b'{"for_user_id":"1","favorite_events":{}}',
                                  b'{"for_user_id":"1","favorite_events":[{"no":"id"}]}',
                                  b'{"for_user_id":"1","tweet_create_events":[{"id_str":[1]}]}', b"\xff"])
def test_delivery_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        x.delivery(post(body))


NAMES = ["x-twitter-webhooks-signature", "content-type"]
KEYS = ["for_user_id", "favorite_events", "follow_events", "tweet_create_events", "direct_message_events",
        "tweet_delete_events", "user_event", "data", "event_uuid", "id", "id_str", "status", "source", "target"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(NAMES, json_bodies(KEYS)))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: x.verify(inbound, SECRET, NOW), lambda: x.delivery(inbound)):
        try:
            call()
        except WebhookError:
            pass


@pytest.mark.parametrize("token", ["a", "challenge_string", "abc-DEF_123==", "A" * 256, "Zm9vYmFy="])
def test_crc_tokens_of_the_shape_x_sends_are_answered(token: str) -> None:
    assert x.handshake({"crc_token": token}, SECRET) == x.crc_response(token, SECRET)


@pytest.mark.parametrize("token", [
    FAVORITE.decode(), '{"for_user_id":"1"}', "A" * 257, "a b", "abc+/", "ab=c", "abc===", "é", "abc\n", "=",
])
def test_crc_tokens_that_could_be_a_body_are_refused(token: str) -> None:
    with pytest.raises(MalformedPayload, match="base64url"):
        x.handshake({"crc_token": token}, SECRET)
