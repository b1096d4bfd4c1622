"""The worker's operational endpoints on Faust's web server: /metrics, /healthz, /readyz."""

from __future__ import annotations

from typing import TYPE_CHECKING

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from services.scorer.agents import Pipeline


def register(app: faust.App, pipeline: Pipeline) -> None:
    @app.page("/metrics")
    async def metrics(self: View, request: Request) -> Response:
        return self.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/healthz")
    async def healthz(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(self: View, request: Request) -> Response:
        problems = []
        if app.rebalancing:
            problems.append("rebalancing")
        if app.in_recovery:
            problems.append("recovering tables")
        if not app.consumer.assignment():
            problems.append("no partitions assigned")
        if problems:
            return self.json(
                {"type": "about:blank", "title": "Not ready", "status": 503, "detail": ", ".join(problems)},
                status=503,
                content_type="application/problem+json",
            )
        return self.json({"status": "ready"})
