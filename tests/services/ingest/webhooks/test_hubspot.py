"""HubSpot: reference-doc §4 vectors (docs v1/v2, SDK v1/v2/v3), v3 replay window and URI rules, delivery, fuzz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from services.ingest.webhooks import BadSignature, Inbound, MalformedPayload, StaleTimestamp, WebhookError, hubspot

from .strategies import inbounds, json_bodies

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
URL = "https://www.example.com/webhook_uri"
# [OFFICIAL] v1, docs validating-requests page and v1 FAQ (reference doc §4.3).
DOC_V1_BODY = (b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
               b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",'
               b'"changeFlag":"NEW","appId":54321}]')
DOC_V1_SIG = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
# [OFFICIAL] v2 GET, v2 FAQ (reference doc §4.3).
DOC_V2_GET_SIG = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
# [COMPUTED] v2 POST of {"example_field":"example_value"} (reference doc §4.3; no vendor publishes it).
DOC_V2_POST_SIG = "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"
# [SDK] hubspot-api-python tests/spec/utils/test_signature.py (reference doc §4.3): single-quoted body.
SDK_BODY = b"{'example_field':'example_value'}"
SDK_V1 = "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750"
SDK_V2 = "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"
SDK_TS, SDK_V3 = "1693657560000", "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="
SDK_NOW = datetime.fromtimestamp(1693657560 + 1, UTC)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# The official delivery example (reference doc §4.2).
EXAMPLE = (b'[ { "objectId": 1246965, "propertyName": "lifecyclestage", "propertyValue": "subscriber", '
           b'"changeSource": "ACADEMY", "eventId": 3816279340, "subscriptionId": 25, "portalId": 33, '
           b'"appId": 1160452, "occurredAt": 1462216307945, "eventType": "contact.propertyChange", '
           b'"attemptNumber": 0 }, { "objectId": 1246978, "changeSource": "IMPORT", "eventId": 3816279480, '
           b'"subscriptionId": 22, "portalId": 33, "appId": 1160452, "occurredAt": 1462216307945, '
           b'"eventType": "contact.creation", "attemptNumber": 0 } ]')


def v3(body: bytes, *, url: str = URL, signed_url: str | None = None, now: datetime = NOW, secret: str = SECRET,
       method: str = "POST", **extra: str) -> Inbound:
    ts = str(int(now.timestamp() * 1000))
    sig = hubspot.sign_v3(method, signed_url or url, body, ts, secret)
    headers = {"X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": ts, "Content-Type": "application/json",
               **extra}
    return Inbound(method, url, headers, {}, body)


def legacy(body: bytes, sig: str, version: str | None, *, method: str = "POST", url: str = URL) -> Inbound:
    headers = {"X-HubSpot-Signature": sig, **({"X-HubSpot-Signature-Version": version} if version else {})}
    return Inbound(method, url, headers, {}, body)


def test_doc_v1_vector() -> None:
    assert hubspot.sign_legacy("v1", "POST", URL, DOC_V1_BODY, SECRET) == DOC_V1_SIG
    hubspot.verify_legacy_signature(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET)
    at_the_time = datetime.fromtimestamp(1564113600, UTC)  # the vector's occurredAt
    hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, at_the_time, allow_legacy=True)


def test_doc_v2_get_vector() -> None:
    assert hubspot.sign_legacy("v2", "GET", URL, b"", SECRET) == DOC_V2_GET_SIG
    hubspot.verify_legacy_signature(legacy(b"", DOC_V2_GET_SIG, "v2", method="GET"), SECRET)


def test_doc_v2_post_computed_vector() -> None:
    body = b'{"example_field":"example_value"}'
    assert hubspot.sign_legacy("v2", "POST", URL, body, SECRET) == DOC_V2_POST_SIG
    hubspot.verify_legacy_signature(legacy(body, DOC_V2_POST_SIG, "v2"), SECRET)


def test_sdk_vectors_v1_v2_v3() -> None:
    assert hubspot.sign_legacy("v1", "POST", URL, SDK_BODY, SECRET) == SDK_V1
    assert hubspot.sign_legacy("v2", "POST", URL, SDK_BODY, SECRET) == SDK_V2
    assert hubspot.sign_v3("POST", URL, SDK_BODY, SDK_TS, SECRET) == SDK_V3
    headers = {"x-hubspot-signature-v3": SDK_V3, "x-hubspot-request-timestamp": SDK_TS}
    hubspot.verify(Inbound("POST", URL, headers, {}, SDK_BODY), SECRET, SDK_NOW)


def test_sdk_v3_vector_is_stale_under_the_real_clock() -> None:
    headers = {"X-HubSpot-Signature-v3": SDK_V3, "X-HubSpot-Request-Timestamp": SDK_TS}
    with pytest.raises(StaleTimestamp) as err:
        hubspot.verify(Inbound("POST", URL, headers, {}, SDK_BODY), SECRET, NOW)
    assert err.value.status == 401


def test_v3_fresh_accepted_and_case_insensitive_headers() -> None:
    req = v3(EXAMPLE)
    hubspot.verify(req, SECRET, NOW)
    upper = Inbound(req.method, req.url, {k.upper(): v for k, v in req.headers.items()}, {}, req.body)
    hubspot.verify(upper, SECRET, NOW)


def test_v3_timestamp_in_milliseconds_301_seconds_old_is_stale() -> None:
    with pytest.raises(StaleTimestamp):
        hubspot.verify(v3(EXAMPLE, now=NOW - timedelta(seconds=301)), SECRET, NOW)
    hubspot.verify(v3(EXAMPLE, now=NOW - timedelta(seconds=299)), SECRET, NOW)


def test_v3_far_future_timestamp_is_stale() -> None:  # our choice: the docs are silent, the SDK accepts it
    with pytest.raises(StaleTimestamp):
        hubspot.verify(v3(EXAMPLE, now=NOW + timedelta(seconds=301)), SECRET, NOW)
    hubspot.verify(v3(EXAMPLE, now=NOW + timedelta(seconds=60)), SECRET, NOW)


def test_v3_uri_decoding_rules() -> None:
    encoded = "https://www.example.com/webhook_uri%3Fa%3Db/x%40y%21?q=%2A%2c&r=%20"
    decoded = "https://www.example.com/webhook_uri?a%3Db/x@y!?q=*,&r=%20"  # %3D and %20 stay encoded
    assert hubspot.decode_uri(encoded) == decoded
    hubspot.verify(v3(EXAMPLE, url=encoded, signed_url=decoded), SECRET, NOW)  # signed as the docs say
    hubspot.verify(v3(EXAMPLE, url=encoded), SECRET, NOW)  # signed verbatim, as the official SDKs do


def test_v3_url_must_match_including_scheme_and_query_order() -> None:
    with pytest.raises(BadSignature):
        hubspot.verify(v3(EXAMPLE, url="http://www.example.com/webhook_uri", signed_url=URL), SECRET, NOW)
    with pytest.raises(BadSignature):
        hubspot.verify(v3(EXAMPLE, url=URL + "?b=2&a=1", signed_url=URL + "?a=1&b=2"), SECRET, NOW)


def test_v3_tampered_body_and_wrong_secret() -> None:
    req = v3(EXAMPLE)
    with pytest.raises(BadSignature) as err:
        hubspot.verify(Inbound(req.method, req.url, req.headers, {}, req.body.replace(b"33", b"34")), SECRET, NOW)
    assert err.value.status == 401 and SECRET not in err.value.reason
    with pytest.raises(BadSignature):
        hubspot.verify(v3(EXAMPLE, secret="other-secret"), SECRET, NOW)


def test_v3_missing_or_bad_timestamp() -> None:
    req = v3(EXAMPLE)
    no_ts = {k: v for k, v in req.headers.items() if k != "X-HubSpot-Request-Timestamp"}
    with pytest.raises(BadSignature, match="Timestamp"):
        hubspot.verify(Inbound("POST", URL, no_ts, {}, EXAMPLE), SECRET, NOW)
    with pytest.raises(BadSignature):
        hubspot.verify(Inbound("POST", URL, {**req.headers, "X-HubSpot-Request-Timestamp": "soon"}, {}, EXAMPLE),
                       SECRET, NOW)


def test_missing_signature_headers() -> None:
    with pytest.raises(BadSignature) as err:
        hubspot.verify(Inbound("POST", URL, {"Content-Type": "application/json"}, {}, EXAMPLE), SECRET, NOW)
    assert err.value.status == 401


def test_invalid_v3_is_not_bypassed_by_a_valid_v1() -> None:
    req = v3(DOC_V1_BODY, secret="wrong")
    headers = {**req.headers, "X-HubSpot-Signature": DOC_V1_SIG, "X-HubSpot-Signature-Version": "v1"}
    with pytest.raises(BadSignature):
        hubspot.verify(Inbound("POST", URL, headers, {}, DOC_V1_BODY), SECRET, NOW)


def test_legacy_signatures_are_refused_unless_the_endpoint_allows_them() -> None:
    at_the_time = datetime.fromtimestamp(1564113600, UTC)
    with pytest.raises(BadSignature, match="legacy"):
        hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, at_the_time)  # the default
    with pytest.raises(BadSignature, match="legacy"):
        hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, at_the_time, allow_legacy=False)
    hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, at_the_time, allow_legacy=True)


def test_allowed_legacy_signatures_are_checked() -> None:
    at_the_time = datetime.fromtimestamp(1564113600, UTC)
    with pytest.raises(BadSignature):
        hubspot.verify(legacy(DOC_V1_BODY + b" ", DOC_V1_SIG, "v1"), SECRET, at_the_time, allow_legacy=True)
    with pytest.raises(BadSignature):
        hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v9"), SECRET, at_the_time, allow_legacy=True)
    hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, None), SECRET, at_the_time, allow_legacy=True)  # no version: v1


def test_a_legacy_signed_replay_older_than_the_tolerance_is_refused() -> None:
    occurred = datetime.fromtimestamp(1564113600, UTC)
    hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, occurred + timedelta(seconds=299), allow_legacy=True)
    for later in (timedelta(seconds=301), timedelta(days=365)):
        with pytest.raises(StaleTimestamp):
            hubspot.verify(legacy(DOC_V1_BODY, DOC_V1_SIG, "v1"), SECRET, occurred + later, allow_legacy=True)
    no_time = b'[{"eventId":1,"subscriptionType":"contact.creation"}]'
    with pytest.raises(StaleTimestamp, match="occurredAt"):
        hubspot.verify(legacy(no_time, hubspot.sign_legacy("v1", "POST", URL, no_time, SECRET), "v1"), SECRET, NOW,
                       allow_legacy=True)


def test_delivery_splits_the_official_example() -> None:
    events = hubspot.delivery(v3(EXAMPLE))
    assert [e.kind for e in events] == ["contact.propertyChange", "contact.creation"]
    assert events[1].id == "33:22:3816279480:1246978:::1462216307945:contact.creation:"
    assert len({e.id for e in events}) == 2


def test_delivery_id_ignores_attempt_number() -> None:
    first = hubspot.delivery(v3(DOC_V1_BODY))
    retry = hubspot.delivery(v3(DOC_V1_BODY.replace(b'"attemptNumber":0', b'"attemptNumber":3')))
    assert first[0].id == retry[0].id and first[0].kind == "contact.creation"


@pytest.mark.parametrize("body", [b'{"eventId":1}', b"[1]", b'[{"subscriptionType":"x","occurredAt":1}]',
                                  b'[{"eventId":{"a":1},"subscriptionType":"x","occurredAt":1}]', b"[",
                                  b"[" + b",".join([b"{}"] * 1001) + b"]"])
def test_delivery_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload) as err:
        hubspot.delivery(v3(body))
    assert err.value.status == 400


NAMES = ["X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp", "X-HubSpot-Signature",
         "X-HubSpot-Signature-Version", "Content-Type"]
KEYS = ["eventId", "subscriptionId", "portalId", "occurredAt", "subscriptionType", "eventType", "objectId",
        "propertyName", "propertyValue", "fromObjectId", "toObjectId"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(NAMES, json_bodies(KEYS)))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: hubspot.verify(inbound, SECRET, NOW), lambda: hubspot.delivery(inbound),
                 lambda: hubspot.verify(inbound, SECRET, NOW, allow_legacy=True)):
        try:
            call()
        except WebhookError:
            pass
