"""Where FastAPI's own router sends a request: what the services' hot-route fronts (shared.http.hot_path) are
checked against."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.routing import Match


def fastapi_endpoint(app: FastAPI, method: str, path: str, candidates: list | None = None) -> tuple[Any, dict]:
    """The endpoint FastAPI's router sends this request to, and its path parameters ((None, {}): no full match)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
    for route in app.router.routes if candidates is None else candidates:
        found, child = route.matches(scope)
        if found is not Match.FULL:
            continue
        inner = getattr(route, "original_router", None)  # an included router (FastAPI 0.16x)
        if inner is not None:
            return fastapi_endpoint(app, method, path, inner.routes)
        return route.endpoint, child.get("path_params", {})
    return None, {}
