"""Prometheus request metrics, /metrics, /healthz and /readyz for a FastAPI service."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess

from shared.http.problems import problem_response

REQUEST_SECONDS = Histogram(
    "ssi_http_request_duration_seconds",
    "HTTP request latency by route template, method and status code.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

ReadinessCheck = Callable[[], Awaitable[None]]
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods that get their own label value; any other is counted as "other" (labels are a bounded set)."""
log = logging.getLogger("ssi.readiness")


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def _route_template(scope: dict[str, Any]) -> str:
    """The matched route's template (set by the router in the shared scope), so ids never become labels."""
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"


class RequestTimer:
    """Times every HTTP request into REQUEST_SECONDS. A plain ASGI middleware: Starlette's BaseHTTPMiddleware
    (``@app.middleware("http")``) ran each request in an extra task group with memory streams, about a
    quarter of ingest's CPU per request in the profile (README, performance)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            REQUEST_SECONDS.labels(_route_template(scope), method_label(scope["method"]), str(status)).observe(
                time.perf_counter() - start
            )


def render_metrics() -> bytes:
    """This process's metrics; with several worker processes (PROMETHEUS_MULTIPROC_DIR set, see
    shared.http.serve) the sum over all of them, whichever worker answers the scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def install_observability(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    app.add_middleware(RequestTimer)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(render_metrics(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The service's dependencies answer",
        responses={503: {"description": "A dependency does not answer (which one; the reason is only logged)"}},
    )
    async def readyz() -> Response:
        failed = {}
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason is logged, not shown
                log.warning("not ready: %s check failed: %s: %s", name, type(exc).__name__, str(exc)[:500])
                failed[name] = "unavailable"
        if failed:
            return problem_response(503, "Not ready", "a dependency does not answer (details in the service log)",
                                    checks=failed)
        return Response(b'{"status":"ready"}', media_type="application/json")
