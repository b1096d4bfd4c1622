"""The ingest's two hot routes served as plain ASGI in front of FastAPI (shared.http.hot_path): ``POST /v1/events``
and ``POST /v1/webhooks/{provider}/{endpoint_id}``.

They call the very route functions FastAPI documents (services.ingest.routes.submit_events,
services.ingest.webhook_routes.deliver) with the same Starlette ``Request``, so every check stays as it is:
authentication before the body is read, the streaming body cap, strict CloudEvents validation, the quota,
202 only once Kafka acknowledged. Every other request (other methods and paths, /docs, /metrics, handshakes, a
path with a trailing slash) goes to the FastAPI app untouched.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.ingest import routes, webhook_routes
from shared.http.hot_path import Handler, HotPath

EVENTS_PATH = "/v1/events"
WEBHOOKS_PREFIX = "/v1/webhooks/"
WEBHOOKS_TEMPLATE = "/v1/webhooks/{provider}/{endpoint_id}"


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


def match_scope(scope: dict[str, Any]) -> tuple[Handler, str, tuple[str, ...]] | None:
    return match(scope["method"], scope["path"])


def front(app: FastAPI) -> HotPath:
    """The ingest as served: its hot routes in front of ``app``."""
    return HotPath(app, match_scope)
