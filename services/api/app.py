"""The api service's composition root."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from services.api.config import ApiSettings
from services.api import brands, directory, erasure_routes, routes, share_of_voice, teams, validation
from services.api.dashboard import install_dashboard
from services.api.hot_path import front
from services.api.openapi import install_openapi
from services.api.reading.page_cache import PageCache
from shared.db.engine import make_engine
from shared.http.auth import TenantKeys
from shared.http.heap import freeze_startup_heap
from shared.http.hot_path import HotPath
from shared.http.request_id import RequestId
from shared.http.observability import database_check, install_observability
from shared.http.problems import install_problem_handlers
from shared.http.responses import OrjsonResponse
from shared.kafka_producer import KafkaUnavailable, Producer

log = logging.getLogger("ssi.api")


def create_app(settings: ApiSettings) -> FastAPI:
    # no pre-ping: it cost a round trip per request (a connection whose socket Postgres closed is replaced at
    # checkout without one, shared.db.engine); a fixed pool: under a burst, overflow connections were opened
    # and closed per request (a connect, a TLS attempt and a close each); JSONB decoded by orjson (explanations)
    engine = make_engine(settings.database_url, application_name="ssi-api", pre_ping=False,
                         pool_size=settings.db_pool_size, max_overflow=0, json_deserializer=orjson.loads)
    model = settings.scoring_model()
    producer = Producer(settings.kafka_bootstrap, timeout=10.0, security=settings.kafka_security())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("api starting with %s, model %s", settings.safe_dump(), model.version)
        try:
            await producer.start()
        except KafkaUnavailable as exc:
            log.warning("Kafka not reachable yet (%s); directory writes answer 503 until it is", exc)
        freeze_startup_heap()  # full collections walk only what requests allocate (shared.http.heap)
        yield
        await producer.stop()
        await engine.dispose()

    # FastAPIOffline: /docs and /redoc from the fastapi-offline package's own files, not a CDN
    app = FastAPIOffline(
        title="Social Selling Index API",
        version="1",
        lifespan=lifespan,
        description="Each rep's four pillar scores (brand, people, insights, relationships; 0-25 each, 0-100 "
        "total) and their daily history, for the caller's tenant. Authenticate with 'Authorization: Bearer "
        "<tenant API key>'.",
        default_response_class=OrjsonResponse,
        # GET /v1/reps exists: without this, /v1/reps/ (an empty rep id) would answer a 307 to it instead of 404
        redirect_slashes=False,
        # FastAPI's built-in OpenTelemetry looks up the global providers (and os.environ) on every request, for
        # nothing: the service exports Prometheus metrics (as the ingest)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = engine
    # reads of one statement need no transaction: autocommit spares a BEGIN and a ROLLBACK round trip each
    app.state.read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.model = model
    app.state.page_cache = PageCache(settings.page_cache_entries, settings.page_cache_seconds)
    app.state.tenant_keys = TenantKeys(engine)
    app.state.producer = producer

    install_problem_handlers(app)
    install_observability(app, {"database": database_check(engine), "kafka": producer.ready})
    app.add_middleware(RequestId)  # every answer carries X-Request-Id (shared.http.request_id)
    app.include_router(routes.router)
    app.include_router(directory.router)
    app.include_router(teams.router)
    app.include_router(validation.router)
    app.include_router(brands.router)
    app.include_router(share_of_voice.router)
    app.include_router(erasure_routes.router)
    install_dashboard(app)
    install_openapi(app)
    return app


def app_from_env() -> HotPath:
    """The factory each worker process calls (shared.http.serve): the app behind its hot-read front."""
    return front(create_app(ApiSettings()))
