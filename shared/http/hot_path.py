"""A plain ASGI front for a service's hot routes: the requests ``match`` takes are served by calling their route
function directly; every other request (lifespan too) goes to the FastAPI app untouched.

What is skipped for a matched request is FastAPI's per-request machinery around the route function: the error,
telemetry, request-id, timer, exception and exit-stack middlewares, the router, the route's own exception
wrapper and the endpoint runner, which resumed every layer on each await. The front does the same work those
layers did for these routes, once: the X-Request-Id (shared.http.request_id, also set for every log line of the
request), the request timer (shared.http.observability.REQUEST_SECONDS, labelled with the route template),
problem+json for a Problem and for anything unexpected (shared.http.problems). The OpenAPI document is FastAPI's,
built from the same routes. Used by the ingest (services.ingest.hot_path) and the api (services.api.hot_path);
each service's ``match`` says which requests it takes, and its tests check that FastAPI would route exactly
those to the same functions.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response

from shared.http.observability import REQUEST_SECONDS
from shared.http.problems import Problem, response_for_problem, response_for_unexpected
from shared.http.request_id import HEADER, request_id_from
from shared.logs import REQUEST_ID

_REQUEST_ID = HEADER.encode("ascii")

Handler = Callable[..., Awaitable[Response]]
Match = Callable[[dict[str, Any]], "tuple[Handler, str, tuple] | None"]
"""From an HTTP scope: the handler (called as ``handler(request, *args)``), the route template for the timer,
and the arguments; None for a request the front does not take."""


class HotPath:
    """ASGI app: the requests ``match`` takes directly, everything else (lifespan too) through ``app``."""

    def __init__(self, app: FastAPI, match: Match) -> None:
        self.app = app
        self.match = match
        self._timers: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        hot = self.match(scope) if scope["type"] == "http" else None
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
            self._timer(template, scope["method"], status).observe(time.perf_counter() - start)

    def _timer(self, template: str, method: str, status: int) -> Any:
        """The histogram child of this route, method and status (labels() costs about 2 us a call)."""
        child = self._timers.get((template, method, status))
        if child is None:
            child = self._timers[(template, method, status)] = REQUEST_SECONDS.labels(template, method, str(status))
        return child
