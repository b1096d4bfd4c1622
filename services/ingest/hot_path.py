"""The ingest's two hot routes served as plain ASGI in front of FastAPI: ``POST /v1/events`` and
``POST /v1/webhooks/{provider}/{endpoint_id}``.

They call the very route functions FastAPI documents (services.ingest.routes.submit_events,
services.ingest.webhook_routes.deliver) with the same Starlette ``Request``, so every check stays as it is:
authentication before the body is read, the streaming body cap, strict CloudEvents validation, the quota,
202 only once Kafka acknowledged. What is skipped is FastAPI's per-request machinery around them: eight
nested ASGI layers (error, telemetry, request id, timer, exception and exit-stack middlewares, the router,
the route's own exception wrapper) and the endpoint runner, which resumed every layer on each await. This
wrapper does the same work those layers did for these routes, once: the X-Request-Id (shared.http.request_id),
the request timer (shared.http.observability.REQUEST_SECONDS, labelled with the route template), problem+json
for a Problem and for anything unexpected (shared.http.problems). Every other request (other methods and
paths, /docs, /metrics, handshakes, a path with a trailing slash) goes to the FastAPI app untouched, and the
OpenAPI document is FastAPI's, built from the same routes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response

from services.ingest import routes, webhook_routes
from shared.http.observability import REQUEST_SECONDS
from shared.http.problems import Problem, response_for_problem, response_for_unexpected
from shared.http.request_id import HEADER, request_id_from
from shared.logs import REQUEST_ID

EVENTS_PATH = "/v1/events"
WEBHOOKS_PREFIX = "/v1/webhooks/"
WEBHOOKS_TEMPLATE = "/v1/webhooks/{provider}/{endpoint_id}"
_REQUEST_ID = HEADER.encode("ascii")

Handler = Callable[..., Awaitable[Response]]


def match(method: str, path: str) -> tuple[Handler, str, tuple[str, ...]] | None:
    """The hot route a request goes to, its template and its path parameters; None for everything else."""
    if method != "POST":
        return None
    if path == EVENTS_PATH:
        return routes.submit_events, EVENTS_PATH, ()
    if path.startswith(WEBHOOKS_PREFIX):
        parts = path[len(WEBHOOKS_PREFIX):].split("/")
        if len(parts) == 2 and parts[0] and parts[1]:  # what Starlette's {provider}/{endpoint_id} matches
            return webhook_routes.deliver, WEBHOOKS_TEMPLATE, (parts[0], parts[1])
    return None


class HotPath:
    """ASGI app: the hot routes directly, everything else (lifespan too) through ``app``."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._timers: dict[tuple[str, int], Any] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        hot = match(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if hot is None:
            await self.app(scope, receive, send)
            return
        handler, template, params = hot
        start = time.perf_counter()
        incoming = next((v for k, v in scope["headers"] if k == _REQUEST_ID), None)
        request_id = request_id_from(incoming)
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)  # every log line of this request carries it (shared.logs)
        scope["app"] = self.app
        request = Request(scope, receive)
        status = 500
        try:
            try:
                response = await handler(request, *params)
            except Problem as exc:
                response = response_for_problem(request, exc)
            except Exception as exc:  # noqa: BLE001 - answered as FastAPI's error handlers answer it (and logged)
                response = response_for_unexpected(request, exc)
            status = response.status_code
            if not any(k == _REQUEST_ID for k, _ in response.raw_headers):  # response_for_unexpected adds it
                response.raw_headers.append((_REQUEST_ID, request_id.encode("ascii")))
            await response(scope, receive, send)
        finally:
            REQUEST_ID.reset(token)
            self._timer(template, status).observe(time.perf_counter() - start)

    def _timer(self, template: str, status: int) -> Any:
        """The histogram child of this route and status (labels() costs about 2 us a call)."""
        child = self._timers.get((template, status))
        if child is None:
            child = self._timers[(template, status)] = REQUEST_SECONDS.labels(template, "POST", str(status))
        return child
