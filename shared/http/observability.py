"""Prometheus request metrics, /metrics, /healthz and /readyz for a FastAPI service."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest

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


def _route_template(request: Request) -> str:
    """The matched route's template (set by the router in the shared scope), so ids never become labels."""
    route = request.scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"


def install_observability(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    @app.middleware("http")
    async def _time_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            REQUEST_SECONDS.labels(_route_template(request), method_label(request.method), str(status)).observe(
                time.perf_counter() - start
            )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

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
