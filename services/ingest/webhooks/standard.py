"""Standard Webhooks (standardwebhooks.com, spec v1.0.0) and Svix, which sends the same scheme.

Signed content: ``"{webhook-id}.{webhook-timestamp}.{raw body}"``, HMAC-SHA256 keyed with the base64-decoded
secret after ``whsec_`` (prefix optional, padding optional, as in the reference library). ``webhook-signature``
is a space-separated list of ``<version>,<base64>``; only ``v1`` entries are checked and any one may match.
The timestamp (unix seconds, time of the attempt) must be within 5 minutes of ``now`` both ways. Svix's
``svix-id`` / ``svix-timestamp`` / ``svix-signature`` names are accepted when the ``webhook-*`` ones are absent.
Here the body is ONE CloudEvent 1.0 JSON object; ``webhook-id`` is the idempotency key of the delivery.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from .common import Inbound, RawEvent, as_object, check_window, equal, header, hmac_sha256, id_part, load_json
from .common import require_media_type
from .errors import BadSignature

PROVIDER = "standard"
TOLERANCE = timedelta(minutes=5)
PREFIX = "whsec_"


def parse_secret(secret: str) -> bytes:
    """The HMAC key: base64-decoded bytes after the optional ``whsec_`` prefix. A bad secret is a configuration
    error (``ValueError``), not the sender's fault; call this at startup to fail early."""
    text = secret[len(PREFIX):] if secret.startswith(PREFIX) else secret
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the Standard Webhooks secret is not valid base64 after the whsec_ prefix") from None
    if not key:
        raise ValueError("the Standard Webhooks secret is empty")
    return key


def sign(msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """The ``v1,<base64>`` signature of a message (for tests and for senders)."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac_sha256(parse_secret(secret), content)).decode()


def _header(inbound: Inbound, name: str) -> str:
    value = header(inbound, f"webhook-{name}") or header(inbound, f"svix-{name}")
    if not value or not value.strip():
        raise BadSignature(f"the webhook-{name} header is missing")
    return value.strip()


def message_id(inbound: Inbound) -> str:
    """The ``webhook-id`` (or ``svix-id``): the idempotency key, the same on every retry."""
    return _header(inbound, "id")


def verify(inbound: Inbound, secret: str, now: datetime) -> None:
    """Raise ``BadSignature`` or ``StaleTimestamp`` unless the request is authentic and fresh."""
    key = parse_secret(secret)
    msg_id = message_id(inbound)
    raw_ts = _header(inbound, "timestamp")
    signatures = _header(inbound, "signature")
    if not raw_ts.isascii() or not raw_ts.isdigit() or len(raw_ts) > 11:
        raise BadSignature("the webhook-timestamp header is not an integer number of seconds")
    timestamp = int(raw_ts)
    check_window(datetime.fromtimestamp(timestamp, UTC), now, past=TOLERANCE, future=TOLERANCE)
    content = f"{msg_id}.{timestamp}.".encode("utf-8", "surrogatepass") + inbound.body
    expected = base64.b64encode(hmac_sha256(key, content)).decode()
    found_v1 = False
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        found_v1 = True
        if equal(value, expected):
            return
    if not found_v1:
        raise BadSignature("the webhook-signature header has no v1 signature")
    raise BadSignature("no v1 signature in webhook-signature matches the body")


def delivery(inbound: Inbound) -> list[RawEvent]:
    """One event per request: the body is one CloudEvent JSON object; its id is the ``webhook-id``."""
    require_media_type(inbound, ("application/json", "application/cloudevents+json"))
    msg_id = id_part(message_id(inbound), "the webhook-id header")
    event = as_object(load_json(inbound.body), "the Standard Webhooks body")
    return [RawEvent(PROVIDER, msg_id, "cloudevent", event, {})]
