"""X-Request-Id: every request gets an id, echoed in the response, carried with its events through Kafka.

A sender's own X-Request-Id is kept when it is sane (1 to 128 characters of letters, digits and ``._:-``, so it
is safe in a log line, a Kafka header and a shell); otherwise, or when absent, one is generated (32 hex
digits). Handlers read it as ``request.state.request_id``; the answer carries it in X-Request-Id, the refusals
too, and every log line written while the request is served has it as ``request_id`` (shared.logs.REQUEST_ID),
in the api as in ingest. A plain ASGI middleware, as shared.http.observability.RequestTimer and for the same reason.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import Any

from shared.logs import REQUEST_ID

HEADER = "x-request-id"
KAFKA_HEADER = "request_id"
"""The Kafka record header with the id of the request that accepted the record (bytes, ASCII)."""
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count(int.from_bytes(os.urandom(4), "big"))


def _new_prefix() -> None:  # a forked worker must not repeat its parent's ids
    global _PREFIX
    _PREFIX = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_prefix)


def new_request_id() -> str:
    """32 hex digits, unique: this process's random 16-digit prefix (drawn again in a forked child) and a
    counter. uuid4 cost 4 us per request (a system call for its randomness); this 0.5 us. Not a secret."""
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def request_id_from(value: bytes | None) -> str:
    """The sender's id if it is sane, else a new one."""
    if value:
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if SANE.fullmatch(text):
            return text
    return new_request_id()


def kafka_headers(request_id: str) -> list[tuple[str, bytes]]:
    return [(KAFKA_HEADER, request_id.encode("ascii"))]


def from_kafka_headers(headers: Any) -> str | None:
    """The request id among a consumed record's headers (a list of (key, value) or a mapping), if any."""
    if not headers:
        return None
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key == KAFKA_HEADER and value:
            return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    return None


class RequestId:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id_from(incoming)
        scope.setdefault("state", {})["request_id"] = request_id
        encoded = request_id.encode("ascii")

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", encoded)]
            await send(message)

        # every log line of this request carries it (shared.logs). Not reset when the app raises: Starlette's
        # outermost ServerErrorMiddleware then logs and answers 500 with it (shared.http.problems), in this
        # request's own task, whose context no other request shares.
        token = REQUEST_ID.set(request_id)
        await self.app(scope, receive, send_with_id)
        REQUEST_ID.reset(token)
