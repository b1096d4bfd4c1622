"""POST /v1/events: parse, publish, answer 202 only once Kafka has every event."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.ingest.metrics import EVENTS, PRODUCE_SECONDS, REQUESTS
from services.ingest.parsing import BATCH, SINGLE, parse_events
from shared import topics
from shared.events import ActivityEnvelope
from shared.kafka_producer import KafkaUnavailable
from shared.http.auth import TenantId
from shared.http.problems import Problem

router = APIRouter(prefix="/v1", tags=["ingest"])


class Accepted(BaseModel):
    accepted: int


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(413, "Body too large", f"at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "Body too large", f"at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/events",
    status_code=202,
    response_model=Accepted,
    summary="Submit one CloudEvent or a batch",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                SINGLE: {"schema": {"$ref": "#/components/schemas/CloudEvent"}},
                BATCH: {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CloudEvent"}}},
            },
        }
    },
    responses={
        400: {"description": "Malformed or invalid events (problem+json naming the field)"},
        401: {"description": "Missing or unknown API key"},
        413: {"description": "Body or batch too large"},
        415: {"description": "Unsupported media type"},
        503: {"description": "Kafka unavailable; retry after Retry-After seconds"},
    },
)
async def submit_events(request: Request, tenant_id: TenantId) -> JSONResponse:
    settings = request.app.state.settings
    now = datetime.now(UTC)
    try:
        body = await read_body(request, settings.max_body_bytes)
        events = parse_events(
            body, request.headers.get("content-type"), now=now, max_batch=settings.max_batch_events
        )
    except Problem:
        REQUESTS.labels("invalid").inc()
        raise
    envelopes = [ActivityEnvelope(tenant_id=tenant_id, received_at=now, event=e) for e in events]
    start = time.perf_counter()
    try:
        await request.app.state.producer.send_all(
            [(topics.ACTIVITY, topics.rep_key(e.tenant_id, e.event.subject).encode(), e.to_bytes()) for e in envelopes]
        )
    except KafkaUnavailable as exc:
        REQUESTS.labels("unavailable").inc()
        raise Problem(
            503,
            "Event store unavailable",
            f"{exc}; nothing is lost, retry the same request",
            headers={"Retry-After": str(settings.retry_after_seconds)},
        ) from None
    PRODUCE_SECONDS.observe(time.perf_counter() - start)
    REQUESTS.labels("accepted").inc()
    EVENTS.labels("accepted").inc(len(envelopes))
    return JSONResponse({"accepted": len(envelopes)}, status_code=202)
