"""Shared pieces of the webhook protocol layer: the request as received, the split events, and helpers
(case-insensitive headers, constant-time compare, HMAC, replay window, defensive JSON). Pure: no I/O."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from .errors import BadSignature, MalformedPayload, StaleTimestamp, UnsupportedMediaType

MAX_BODY_BYTES = 5 * 1024 * 1024
"""Larger bodies are refused before parsing (Meta batches up to 1000 updates, the largest sender here)."""
MAX_EVENTS = 1000
"""At most this many provider events per request (Meta: 1000; HubSpot: under 100; LinkedIn: 10)."""
MAX_ID_CHARS = 256


@dataclass(frozen=True)
class Inbound:
    """One HTTP request exactly as received."""

    method: str  # "GET" / "POST"
    url: str  # the full URL as the sender used it, for a protocol that signs it (HubSpot: SIGNS_URL); else ""
    headers: Mapping[str, str]  # treat case-insensitively
    query: Mapping[str, str]
    body: bytes  # the raw body, exactly as received


@dataclass(frozen=True)
class RawEvent:
    """One provider event split out of a verified delivery. ``as_dict()`` is what travels on Kafka (JSON) and
    what ``services.scorer.normalize.normalize(provider, raw)`` reads: ``{"id", "kind", "event", "context"}``."""

    provider: str  # "standard", "hubspot", "salesforce", "x", "meta", "linkedin"
    id: str  # stable idempotency id: identical for every retry of the same event, excludes retry counters
    kind: str  # provider-specific event kind, e.g. "favorite_events", "contact.creation", "page.feed"
    event: dict[str, Any]  # the single provider event, as sent
    context: dict[str, Any] = field(default_factory=dict)  # envelope fields the event needs (e.g. for_user_id)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "event": self.event, "context": self.context}


def header(inbound: Inbound, name: str) -> str | None:
    """The value of header ``name``, matched case-insensitively, or None."""
    wanted = name.lower()
    value = inbound.headers.get(wanted)  # the server gives header names lower-cased: one lookup
    if value is not None:
        return value if isinstance(value, str) else None
    for key, value in inbound.headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def require_header(inbound: Inbound, name: str) -> str:
    """The header's value; a missing or empty header is a ``BadSignature`` (the request cannot be verified)."""
    value = header(inbound, name)
    if not value or not value.strip():
        raise BadSignature(f"the {name} header is missing")
    return value.strip()


def equal(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison; str values are compared as UTF-8 bytes (so any text is safe to pass)."""
    left = a.encode("utf-8", "surrogatepass") if isinstance(a, str) else a
    right = b.encode("utf-8", "surrogatepass") if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    raw_key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(raw_key, message, hashlib.sha256).digest()


def check_window(sent: datetime, now: datetime, *, past: timedelta, future: timedelta | None) -> None:
    """Raise ``StaleTimestamp`` unless ``now - past <= sent <= now + future`` (``future=None``: no limit)."""
    if now - sent > past:
        raise StaleTimestamp(f"the signed timestamp is {int((now - sent).total_seconds())} s old, "
                             f"more than the {int(past.total_seconds())} s allowed")
    if future is not None and sent - now > future:
        raise StaleTimestamp(f"the signed timestamp is {int((sent - now).total_seconds())} s in the future, "
                             f"more than the {int(future.total_seconds())} s allowed")


def require_media_type(inbound: Inbound, allowed: tuple[str, ...]) -> None:
    """Refuse a Content-Type outside ``allowed`` (``application/*+json`` counts as JSON). No header: accepted."""
    value = header(inbound, "content-type")
    if value is None or not value.strip():
        return
    kind = value.split(";", 1)[0].strip().lower()
    json_like = kind.startswith("application/") and kind.endswith("+json")
    if kind in allowed or ("application/json" in allowed and json_like):
        return
    raise UnsupportedMediaType(f"Content-Type {kind[:100]!r} is not accepted here; send one of {', '.join(allowed)}")


def load_json(body: bytes) -> Any:
    """Parse a JSON body defensively: size-limited, depth-limited (orjson: 1024), always ``MalformedPayload``."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise MalformedPayload("the body is not bytes")
    if len(body) > MAX_BODY_BYTES:
        raise MalformedPayload(f"the body is {len(body)} bytes, more than the {MAX_BODY_BYTES} allowed")
    try:
        return orjson.loads(body)
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise MalformedPayload(f"the body is not valid JSON: {str(exc)[:200]}") from None


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} must be a JSON object")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedPayload(f"{what} must be a JSON array")
    if len(value) > MAX_EVENTS:
        raise MalformedPayload(f"{what} has {len(value)} items, more than the {MAX_EVENTS} allowed")
    return value


def id_part(value: Any, what: str, *, required: bool = True) -> str:
    """A scalar id component as text (ints and strings only); a missing required one is ``MalformedPayload``."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        if value is None and not required:
            return ""
        raise MalformedPayload(f"{what} is missing or not a string/integer id")
    text = str(value)
    if len(text) > MAX_ID_CHARS or (required and not text):
        raise MalformedPayload(f"{what} is empty or longer than {MAX_ID_CHARS} characters")
    return text


def digest(value: Any) -> str:
    """A short, stable content hash (sorted-key JSON) for events that carry no id of their own."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
