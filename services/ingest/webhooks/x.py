"""X (Twitter) Account Activity API webhooks, and the X Activity API envelope that shares their security.

CRC handshake: ``GET ?crc_token=...`` -> ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret,
crc_token))}``. POSTs carry ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw
body)>``, compared whole. No timestamp, so no replay window: duplicates are removed by event id.
The handshake answers only a ``crc_token`` of the shape X sends (1-256 characters of the base64url alphabet,
``=`` padding at the end): anything else is refused, so the CRC cannot sign a chosen body (a POST body is a
JSON object, which never has that shape).
A POST holds ``for_user_id`` (the subscribed account, i.e. the rep's) and ``*_events`` arrays; the successor
API sends ``{"data": {"event_uuid", "event_type", "filter": {"user_id"}, ...}}`` instead.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .common import Inbound, RawEvent, as_list, as_object, digest, equal, hmac_sha256, id_part, load_json
from .common import require_header, require_media_type
from .errors import BadSignature, MalformedPayload

PROVIDER = "x"
SIGNATURE = "x-twitter-webhooks-signature"
ID_FIELD = {"favorite_events": "id", "direct_message_events": "id", "tweet_create_events": "id_str"}
COMPOSITE = ("follow_events", "block_events", "mute_events")
CRC_TOKEN = re.compile(r"[A-Za-z0-9_-]+={0,2}")
CRC_TOKEN_MAX = 256


def _token(message: str, secret: str) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(secret, message.encode("utf-8", "surrogatepass"))).decode()


def crc_response(crc_token: str, secret: str) -> dict[str, str]:
    """The CRC answer (send it as JSON with status 200)."""
    return {"response_token": _token(crc_token, secret)}


def handshake(query: Mapping[str, str], secret: str) -> dict[str, str]:
    """CRC answer for a GET's query; a missing ``crc_token`` is a 400, as X's own sample answers, and so is one
    that is not 1-256 characters of base64url with ``=`` padding (it could be a body to sign)."""
    token = query.get("crc_token")
    if not isinstance(token, str) or not token:
        raise MalformedPayload("the crc_token query parameter is missing")
    if len(token) > CRC_TOKEN_MAX or not CRC_TOKEN.fullmatch(token):
        raise MalformedPayload(f"the crc_token is not 1-{CRC_TOKEN_MAX} characters of base64url (A-Z a-z 0-9 - _, "
                               "then = padding), the shape X sends; it is not answered")
    return crc_response(token, secret)


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(secret, body)).decode()


def verify(inbound: Inbound, secret: str, now: datetime) -> None:
    """Raise ``BadSignature`` unless the signature header matches the raw body. ``now`` is unused (no
    timestamp in this protocol); it is kept for a uniform signature."""
    signature = require_header(inbound, SIGNATURE)
    if not equal(signature, sign(inbound.body, secret)):
        raise BadSignature(f"the {SIGNATURE} header does not match the body")


def _user_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id_str", value.get("id"))
    return id_part(value, "a user id", required=False)


def _event_key(kind: str, event: dict[str, Any], for_user: str) -> str:
    """Ids as the docs advise (favorite/DM ``id``, tweet ``id_str``; follow/block/mute: a composite). The rep
    account is part of the key: one interaction between two subscribed users arrives once per ``for_user_id``
    and is a different activity for each (e.g. post.published for one, engagement.received for the other)."""
    if kind in ID_FIELD:
        own = id_part(event.get(ID_FIELD[kind], event.get("id")), f"{kind} id")
    elif kind in COMPOSITE:
        own = ":".join([id_part(event.get("type"), f"{kind} type", required=False),
                        id_part(event.get("created_timestamp"), f"{kind} created_timestamp", required=False),
                        _user_id(event.get("source")), _user_id(event.get("target"))])
    elif kind == "tweet_delete_events":
        status = as_object(event.get("status"), "tweet_delete_events status")
        own = id_part(status.get("id"), "tweet_delete_events status id")
    else:
        own = digest(event)
    return f"{for_user}:{kind}:{own}"


def _participants(event: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """The ``users`` entries of a DM's sender and recipient (the envelope map may list more)."""
    create = event.get("message_create") if isinstance(event.get("message_create"), dict) else {}
    target = create.get("target") if isinstance(create.get("target"), dict) else {}
    wanted = {v for v in (create.get("sender_id"), target.get("recipient_id")) if isinstance(v, str)}
    return {k: v for k, v in users.items() if k in wanted and isinstance(v, dict)}


def delivery(inbound: Inbound) -> list[RawEvent]:
    """Split every ``*_events`` array (and ``user_event``) into events; context carries ``for_user_id`` and,
    for DMs, the ``users`` entries of the participants (their follower counts)."""
    require_media_type(inbound, ("application/json",))
    doc = as_object(load_json(inbound.body), "the X body")
    if isinstance(doc.get("data"), dict) and "event_uuid" in doc["data"]:
        data = doc["data"]
        key = id_part(data.get("event_uuid"), "data.event_uuid")
        kind = id_part(data.get("event_type"), "data.event_type", required=False) or "unknown"
        filt = data.get("filter") if isinstance(data.get("filter"), dict) else {}
        return [RawEvent(PROVIDER, key, kind, data, {"for_user_id": _user_id(filt.get("user_id"))})]
    for_user = id_part(doc.get("for_user_id"), "for_user_id", required=False)
    users = doc.get("users") if isinstance(doc.get("users"), dict) else {}
    out: list[RawEvent] = []
    for kind, items in doc.items():
        if kind == "user_event":
            event = as_object(items, "user_event")
            out.append(RawEvent(PROVIDER, f"{for_user}:{kind}:{digest(event)}", kind, event, {"for_user_id": for_user}))
            continue
        if not kind.endswith("_events"):
            continue
        for i, item in enumerate(as_list(items, kind)):
            event = as_object(item, f"{kind}[{i}]")
            context: dict[str, Any] = {"for_user_id": for_user}
            if kind == "direct_message_events":
                context["users"] = _participants(event, users)
            out.append(RawEvent(PROVIDER, _event_key(kind, event, for_user), kind, event, context))
    if not out:
        raise MalformedPayload("the X body holds no *_events array, user_event or data.event_uuid")
    if len(out) > 1000:
        raise MalformedPayload("the X body holds more than 1000 events")
    return out
