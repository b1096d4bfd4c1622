"""HubSpot webhooks: signature v3 (current) and the legacy v1/v2 that HubSpot still sends alongside it.

v3: ``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), with
``X-HubSpot-Request-Timestamp`` in **milliseconds**; older than 5 minutes is refused. The URI is the full URL;
the docs decode a fixed list of percent-escapes first, the official SDKs sign it verbatim: both are accepted.
We also refuse timestamps more than 5 minutes in the future (the SDK does not; the docs are silent).
v1 (``X-HubSpot-Signature-Version: v1`` or no version): hex(SHA-256(secret + body)); v2: hex(SHA-256(secret +
method + URI + body)). They carry no timestamp, so a captured delivery could be replayed for ever: they are
refused unless the endpoint allows them (``allow_legacy=True``, off by default), only checked when no v3 header
is present (a present v3 is never bypassed), and even then every event's signed ``occurredAt`` must be within
5 minutes of ``now``, so a replay older than the tolerance is refused.
The body is a JSON array of events (under 100 per request).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from .common import Inbound, RawEvent, as_list, as_object, check_window, equal, header, hmac_sha256, id_part
from .common import load_json, require_header, require_media_type
from .errors import BadSignature, StaleTimestamp

PROVIDER = "hubspot"
SIGNS_URL = True
"""v2 and v3 sign the request's full URL: the route builds ``Inbound.url`` for this protocol only."""
MAX_AGE = timedelta(minutes=5)
V3 = "X-HubSpot-Signature-v3"
TIMESTAMP = "X-HubSpot-Request-Timestamp"
LEGACY = "X-HubSpot-Signature"
VERSION = "X-HubSpot-Signature-Version"
DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(",
           "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


def decode_uri(url: str) -> str:
    """Decode only the percent-escapes HubSpot's v3 docs list (either hex case), leaving all others as sent."""
    if "%" not in url:  # the common case: nothing to decode
        return url
    out, i = [], 0
    while i < len(url):
        chunk = url[i:i + 3].upper()
        if url[i] == "%" and chunk in DECODED:
            out.append(DECODED[chunk])
            i += 3
        else:
            out.append(url[i])
            i += 1
    return "".join(out)


def sign_v3(method: str, url: str, body: bytes, timestamp: str, secret: str) -> str:
    source = method.encode() + url.encode("utf-8", "surrogatepass") + body + timestamp.encode()
    return base64.b64encode(hmac_sha256(secret, source)).decode()


def sign_legacy(version: str, method: str, url: str, body: bytes, secret: str) -> str:
    prefix = secret if version == "v1" else secret + method + url
    return hashlib.sha256(prefix.encode("utf-8", "surrogatepass") + body).hexdigest()


def verify(inbound: Inbound, secret: str, now: datetime, *, allow_legacy: bool = False) -> None:
    """Raise ``BadSignature`` / ``StaleTimestamp`` unless the request is authentic: v3, or (``allow_legacy``)
    v1/v2 over events that all occurred within the tolerance."""
    if header(inbound, V3) is not None:
        return _verify_v3(inbound, secret, now)
    if header(inbound, LEGACY) is None:
        raise BadSignature(f"the {V3} header is missing")
    if not allow_legacy:
        raise BadSignature(f"the {V3} header is missing; legacy v1/v2 signatures are not accepted by this endpoint")
    verify_legacy_signature(inbound, secret)
    check_legacy_freshness(inbound, now)


def verify_legacy_signature(inbound: Inbound, secret: str) -> None:
    """Raise ``BadSignature`` unless the v1/v2 ``X-HubSpot-Signature`` matches (no freshness check)."""
    signature = require_header(inbound, LEGACY).lower()
    version = (header(inbound, VERSION) or "v1").strip().lower()
    if version not in ("v1", "v2"):
        raise BadSignature(f"{VERSION} {version[:20]!r} is not v1 or v2")
    method = inbound.method.upper()
    candidates = {inbound.url, decode_uri(inbound.url)} if version == "v2" else {inbound.url}
    if not any(equal(signature, sign_legacy(version, method, u, inbound.body, secret)) for u in candidates):
        raise BadSignature(f"the {LEGACY} ({version}) signature does not match the request")


def check_legacy_freshness(inbound: Inbound, now: datetime) -> None:
    """A legacy signature has no timestamp; the signed body's ``occurredAt`` (ms) of every event stands in for
    one. ``StaleTimestamp`` when any is missing or outside 5 minutes of ``now``."""
    for i, item in enumerate(as_list(load_json(inbound.body), "the HubSpot body")):
        occurred = as_object(item, f"HubSpot event {i}").get("occurredAt")
        if isinstance(occurred, bool) or not isinstance(occurred, int) or not 0 <= occurred < 10**14:
            raise StaleTimestamp(f"HubSpot event {i} has no occurredAt in milliseconds, so a legacy-signed "
                                 "delivery's age cannot be told")
        check_window(datetime.fromtimestamp(occurred / 1000, UTC), now, past=MAX_AGE, future=MAX_AGE)


def _verify_v3(inbound: Inbound, secret: str, now: datetime) -> None:
    signature = require_header(inbound, V3)
    raw_ts = require_header(inbound, TIMESTAMP)
    if not raw_ts.isascii() or not raw_ts.isdigit() or len(raw_ts) > 14:
        raise BadSignature(f"the {TIMESTAMP} header is not an integer number of milliseconds")
    check_window(datetime.fromtimestamp(int(raw_ts) / 1000, UTC), now, past=MAX_AGE, future=MAX_AGE)
    method = inbound.method.upper()
    for url in dict.fromkeys((decode_uri(inbound.url), inbound.url)):
        if equal(signature, sign_v3(method, url, inbound.body, raw_ts, secret)):
            return
    raise BadSignature(f"the {V3} signature does not match the request")


def event_id(event: dict) -> str:
    """Composite key: ``eventId`` is documented as not unique; ``attemptNumber`` changes on retries, so it is
    left out. Parts: portalId, subscriptionId, eventId, objectId (or from/to ids), occurredAt, type, property."""
    kind = event.get("subscriptionType", event.get("eventType"))
    parts = [
        id_part(event.get("portalId"), "portalId", required=False),
        id_part(event.get("subscriptionId"), "subscriptionId", required=False),
        id_part(event.get("eventId"), "eventId"),
        id_part(event.get("objectId"), "objectId", required=False),
        id_part(event.get("fromObjectId"), "fromObjectId", required=False),
        id_part(event.get("toObjectId"), "toObjectId", required=False),
        id_part(event.get("occurredAt"), "occurredAt"),
        id_part(kind, "subscriptionType"),
        id_part(event.get("propertyName"), "propertyName", required=False),
    ]
    return ":".join(parts)


def delivery(inbound: Inbound) -> list[RawEvent]:
    """Split the JSON array into events; ``subscriptionType`` (or the docs' ``eventType``) is the kind."""
    require_media_type(inbound, ("application/json",))
    events = as_list(load_json(inbound.body), "the HubSpot body")
    out = []
    for i, item in enumerate(events):
        event = as_object(item, f"HubSpot event {i}")
        key = event_id(event)
        out.append(RawEvent(PROVIDER, key, str(event.get("subscriptionType", event.get("eventType"))), event, {}))
    return out
