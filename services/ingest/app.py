"""The ingest service's composition root."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from services.ingest.config import IngestSettings
from services.ingest import openapi, routes, webhook_routes
from services.ingest.endpoints import EndpointCache
from services.ingest.hot_path import front
from shared.http.hot_path import HotPath
from shared.db.engine import make_engine
from shared.kafka_producer import KafkaUnavailable, Producer
from shared.http.auth import TenantKeys
from shared.http.heap import freeze_startup_heap
from shared.http.observability import database_check, install_observability
from shared.http.problems import install_problem_handlers
from shared.http.request_id import RequestId
from shared.http.responses import OrjsonResponse

log = logging.getLogger("ssi.ingest")


def create_app(settings: IngestSettings) -> FastAPI:
    engine = make_engine(settings.database_url, application_name="ssi-ingest")
    producer = Producer(settings.kafka_bootstrap, settings.produce_timeout_seconds, linger_ms=settings.kafka_linger_ms,
                        security=settings.kafka_security())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("ingest starting with %s", settings.safe_dump())
        try:
            await producer.start()
        except KafkaUnavailable as exc:
            log.warning("Kafka not reachable yet (%s); requests answer 503 until it is", exc)
        freeze_startup_heap()  # full collections walk only what requests allocate (shared.http.heap)
        yield
        await producer.stop()
        await engine.dispose()

    # FastAPIOffline: /docs and /redoc from the fastapi-offline package's own files, not a CDN
    app = FastAPIOffline(
        title="SSI ingest",
        version="1",
        lifespan=lifespan,
        description="Accepts activity as CloudEvents 1.0 and answers 202 once Kafka has it. Every refusal is "
        "application/problem+json naming what is wrong.",
        default_response_class=OrjsonResponse,
        # FastAPI's built-in OpenTelemetry checks the global providers (and os.environ) on every request:
        # 3% of a request's CPU in the profile, for nothing, since the service exports Prometheus metrics
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.producer = producer
    app.state.tenant_keys = TenantKeys(engine)
    app.state.endpoints = EndpointCache(engine, settings.secret_box())

    install_problem_handlers(app)
    install_observability(app, {"kafka": producer.ready, "database": database_check(engine)})
    app.add_middleware(RequestId)  # outermost: every answer, a refusal too, carries X-Request-Id
    app.include_router(routes.router)
    app.include_router(webhook_routes.router)

    openapi.install(app, max_body_bytes=settings.max_body_bytes, max_batch=settings.max_batch_events,
                    max_webhook_body_bytes=settings.max_webhook_body_bytes)
    return app


def app_from_env() -> HotPath:
    """The factory each worker process calls (shared.http.serve): the app behind its hot-route front."""
    return front(create_app(IngestSettings()))
