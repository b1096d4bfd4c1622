"""Meta Graph API webhooks (Facebook Pages, Instagram; WhatsApp shares the envelope).

Handshake: ``GET ?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...`` -> answer 200 with the bare
challenge (text, not JSON) when the token matches, else 403. POSTs carry ``X-Hub-Signature-256:
sha256=<lowercase hex HMAC-SHA256(app secret, raw body)>``; the raw bytes are hashed as received (Meta sends
them unicode-escaped; never re-serialise). No timestamp and no event id: duplicates are removed by content.
Body: ``{"object", "entry": [{"id", "time", "changes": [{"field", "value"}] | "messaging": [...]}]}``; the
Instagram docs also show the envelope wrapped in ``[...]`` and ``field``/``value`` directly in the entry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .common import MAX_EVENTS, Inbound, RawEvent, as_list, as_object, digest, equal, id_part, load_json
from .common import require_header, require_media_type
from .errors import BadHandshake, BadSignature, MalformedPayload

PROVIDER = "meta"
SIGNATURE = "X-Hub-Signature-256"


def subscribe(query: Mapping[str, str], verify_token: str) -> str:
    """The ``hub.challenge`` to echo (200, text/plain), or ``BadHandshake`` (403)."""
    if query.get("hub.mode") != "subscribe":
        raise BadHandshake("hub.mode is not 'subscribe'")
    token, challenge = query.get("hub.verify_token"), query.get("hub.challenge")
    if not isinstance(token, str) or not equal(token, verify_token):
        raise BadHandshake("hub.verify_token does not match the configured verify token")
    if not isinstance(challenge, str) or not challenge:
        raise BadHandshake("hub.challenge is missing")
    return challenge


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(inbound: Inbound, secret: str, now: datetime) -> None:
    """Raise ``BadSignature`` unless ``X-Hub-Signature-256`` matches the raw body (``now`` is unused)."""
    signature = require_header(inbound, SIGNATURE)
    scheme, _, value = signature.partition("=")
    if scheme.lower() != "sha256" or not value:
        raise BadSignature(f"the {SIGNATURE} header is not 'sha256=<hex>'")
    if not equal(value.lower(), sign(inbound.body, secret)[len("sha256="):]):
        raise BadSignature(f"the {SIGNATURE} header does not match the body")


def _items(entry: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """(field, item) pairs of one entry: ``changes[]`` items, ``messaging[]`` items or a bare field/value."""
    pairs: list[tuple[str, dict[str, Any]]] = []
    if "changes" in entry:
        for i, change in enumerate(as_list(entry["changes"], f"{where}.changes")):
            change = as_object(change, f"{where}.changes[{i}]")
            pairs.append((id_part(change.get("field"), f"{where}.changes[{i}].field"), change))
    for name in ("messaging", "standby"):
        if name in entry:
            for i, item in enumerate(as_list(entry[name], f"{where}.{name}")):
                pairs.append(("messaging", as_object(item, f"{where}.{name}[{i}]")))
    if not pairs and "field" in entry:
        name = id_part(entry.get("field"), f"{where}.field")
        pairs.append((name, {"field": name, "value": entry.get("value")}))
    return pairs


def delivery(inbound: Inbound) -> list[RawEvent]:
    """One event per change / messaging item. The id is ``object:entry id:field:content hash`` (the entry
    ``time`` is when Meta sent the batch, so it is left out: a retry must get the same id)."""
    require_media_type(inbound, ("application/json",))
    doc = load_json(inbound.body)
    envelopes = as_list(doc, "the Meta body") if isinstance(doc, list) else [doc]
    out: list[RawEvent] = []
    for n, envelope in enumerate(envelopes):
        envelope = as_object(envelope, f"Meta envelope {n}")
        obj = id_part(envelope.get("object"), "object")
        for e, entry in enumerate(as_list(envelope.get("entry"), "entry")):
            entry = as_object(entry, f"entry[{e}]")
            entry_id = id_part(entry.get("id"), f"entry[{e}].id")
            time = entry.get("time") if isinstance(entry.get("time"), int | float) else None
            context = {"object": obj, "entry_id": entry_id, "entry_time": time}
            for field, item in _items(entry, f"entry[{e}]"):
                key = f"{obj}:{entry_id}:{field}:{digest(item)}"
                out.append(RawEvent(PROVIDER, key, f"{obj}.{field}", item, context))
                if len(out) > MAX_EVENTS:
                    raise MalformedPayload(f"the Meta body holds more than {MAX_EVENTS} updates")
    return out
