"""Sealed cursors for lists walked in a stable key order: base64url of the position (JSON), a dot, and a
128-bit HMAC-SHA256 tag over a binding (tenant, list, parameters) and the position, with a key derived from
SSI_SECRET_KEY for ``context``. A cursor of another tenant, list or parameter set, or altered, is refused.
(The leaderboard's cursor, services.api.reading.leaderboard, is the same construction with its own context.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

MAX_CURSOR_CHARS = 1024


class InvalidCursor(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _tag(secret: str, context: bytes, binding: list[Any], payload: bytes) -> bytes:
    key = hmac.new(secret.encode(), context, hashlib.sha256).digest()
    bound = json.dumps(binding, separators=(",", ":")).encode()
    return hmac.new(key, bound + b"\n" + payload, hashlib.sha256).digest()[:16]


def seal(secret: str, context: bytes, binding: list[Any], position: Any) -> str:
    payload = json.dumps(position, separators=(",", ":")).encode()
    return _b64(payload) + "." + _b64(_tag(secret, context, binding, payload))


def unseal(secret: str, context: bytes, binding: list[Any], cursor: str) -> Any:
    """The position sealed in ``cursor``; InvalidCursor unless sealed here for the same binding."""
    if len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise InvalidCursor(cursor)
    encoded, tag = cursor.split(".")
    try:
        payload, given = _unb64(encoded), _unb64(tag)
    except ValueError:
        raise InvalidCursor(cursor) from None
    if not hmac.compare_digest(given, _tag(secret, context, binding, payload)):
        raise InvalidCursor(cursor)
    return json.loads(payload)
