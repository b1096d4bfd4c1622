"""POST /v1/events: parse, publish, answer 202 only once Kafka has every event."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from services.ingest.metrics import EVENTS, PRODUCE_SECONDS, QUOTA_REFUSALS, REQUESTS
from services.ingest.openapi import EVENTS_RESPONSES
from services.ingest.parsing import parse_events
from services.ingest.quota import TenantQuota, retry_after_seconds
from services.ingest.records import activity_records
from shared.http.bodies import read_capped_body
from shared.kafka_producer import KafkaUnavailable, RecordTooLarge
from shared.http.auth import current_tenant
from shared.http.problems import Problem
from shared.http.request_id import kafka_headers
from shared.logs import TRAIL

router = APIRouter(prefix="/v1", tags=["ingest"])
log = logging.getLogger("ssi.ingest")
trail = logging.getLogger(TRAIL + ".ingest")


class Accepted(BaseModel):
    accepted: int


# the counters' children, looked up once: labels() costs about 2 us a call in multiprocess mode
INVALID, ACCEPTED_REQUESTS, ACCEPTED_EVENTS = REQUESTS.labels("invalid"), REQUESTS.labels("accepted"), EVENTS.labels("accepted")


def record_too_large(exc: RecordTooLarge, where: str) -> Problem:
    """413 naming Kafka's record limit: such a record can never be written, so a retry would fail the same way
    (a 503 would make the sender retry for ever)."""
    return Problem(
        413, "Event too large",
        f"{where} is {exc.size} bytes as a Kafka record (the event plus its envelope), more than the "
        f"{exc.limit}-byte limit of a Kafka record; nothing was accepted",
        limit_bytes=exc.limit,
    )


def check_quota(request: Request, tenant_id: str, events: int) -> None:
    """The tenant's events-per-second quota in this process: 429 with Retry-After past it, nothing taken."""
    settings = request.app.state.settings
    quota = getattr(request.app.state, "quota", None)
    if quota is None:
        quota = request.app.state.quota = TenantQuota(settings.quota_events_per_second, settings.quota_burst_events)
    wait = quota.take(tenant_id, events, time.monotonic())
    if wait > 0:
        QUOTA_REFUSALS.labels("events_per_second").inc()
        seconds = retry_after_seconds(wait)
        raise Problem(
            429, "Quota exceeded",
            f"this tenant may send {settings.quota_events_per_second:g} events per second (bursts of "
            f"{settings.quota_burst_events}) to this ingest process; these {events} events were not accepted, "
            f"retry after {seconds} s",
            quota="events_per_second", limit_events_per_second=settings.quota_events_per_second,
            burst_events=settings.quota_burst_events, retry_after_seconds=seconds,
            headers={"Retry-After": str(seconds)},
        )


@router.post(
    "/events",
    status_code=202,
    response_model=Accepted,
    summary="Submit one CloudEvent or a batch",
    description="202 only once Kafka has acknowledged every event (acks=all, idempotent producer); a batch is "
    "accepted or refused whole. The request body's schema and limits are in the CloudEvent component.",
    responses=EVENTS_RESPONSES,
)
async def submit_events(request: Request) -> Response:
    # the tenant is resolved here rather than as a dependency: FastAPI's dependency solving was 6% of a
    # request's CPU in the profile; the answer (401 first, before the body is read) is the same
    tenant_id = await current_tenant(request)
    settings = request.app.state.settings
    now = datetime.now(UTC)
    try:
        body = await read_capped_body(request, settings.max_body_bytes)
        events = parse_events(
            body, request.headers.get("content-type"), now=now, max_batch=settings.max_batch_events
        )
    except Problem:
        INVALID.inc()
        raise
    try:
        check_quota(request, tenant_id, len(events))
    except Problem:
        REQUESTS.labels("quota_exceeded").inc()
        raise
    records = activity_records(events, tenant_id, now)
    request_id = request.state.request_id
    start = time.perf_counter()
    try:
        await request.app.state.producer.send_all(records, kafka_headers(request_id))
    except RecordTooLarge as exc:  # can never fit: a retry would fail the same way, so not a 503
        INVALID.inc()
        raise record_too_large(exc, "the event" if len(records) == 1 else f"event {exc.index} of the batch") from None
    except KafkaUnavailable as exc:
        REQUESTS.labels("unavailable").inc()
        log.warning("answered 503: %s", exc, extra={"tenant": tenant_id, "request_id": request_id,
                                                    "events": len(records)})
        raise Problem(
            503,
            "Event store unavailable",
            f"{exc}; nothing is lost, retry the same request",
            headers={"Retry-After": str(settings.retry_after_seconds)},
        ) from None
    PRODUCE_SECONDS.observe(time.perf_counter() - start)
    if trail.isEnabledFor(logging.DEBUG):
        for parsed in events:
            trail.debug("accepted", extra={"tenant": tenant_id, "rep": parsed.event.subject,
                                           "event_id": parsed.event.id, "request_id": request_id})
    ACCEPTED_REQUESTS.inc()
    ACCEPTED_EVENTS.inc(len(records))
    return Response(b'{"accepted":%d}' % len(records), status_code=202, media_type="application/json")
