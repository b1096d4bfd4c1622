"""/v1/webhooks/{provider}/{endpoint_id}: handshakes (GET) and deliveries (POST) the way each sender sends.

A delivery is verified with the sender's own protocol, split into its events, and each event is put raw on
the webhook topic (the mapping to the activity vocabulary runs in the stream, so it can be replayed). The
answer is 2xx only once Kafka has every event; 503 with Retry-After otherwise, so the sender retries.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from types import ModuleType

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from services.ingest.metrics import WEBHOOK_REQUESTS
from services.ingest.routes import ACCEPTED_EVENTS, check_quota, record_too_large
from services.ingest.rate_limit import TokenBuckets, retry_after
from services.ingest.webhooks import WebhookError, hubspot, linkedin, meta, salesforce, standard, x
from services.ingest.webhooks.common import Inbound
from shared import topics
from shared.db.webhooks import PROVIDERS, Endpoint
from shared.kafka_producer import KafkaUnavailable, RecordTooLarge
from shared.http.bodies import read_capped_body
from shared.http.client_address import allowed, client_address, parse_networks
from shared.http.problems import Problem
from shared.http.request_id import kafka_headers

log = logging.getLogger("ssi.ingest")
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
PROTOCOLS: dict[str, ModuleType] = {
    "standard": standard, "hubspot": hubspot, "salesforce": salesforce, "x": x, "meta": meta, "linkedin": linkedin,
}
assert set(PROTOCOLS) == set(PROVIDERS)
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


@functools.cache
def _accepted(provider: str):  # type: ignore[no-untyped-def]  # the counter's child, looked up once per sender
    return WEBHOOK_REQUESTS.labels(provider, "accepted")


def _documented(**codes: str) -> dict[int | str, dict]:
    return {int(code[1:]): {"description": text, "content": _PROBLEM} for code, text in codes.items()}


HANDSHAKE_ANSWERS = _documented(
    s400="Missing challenge, or one not of the shape the platform sends", s403="Wrong Meta verify token, or a "
    "source outside the endpoint's --allow-ip", s404="No such endpoint", s405="This sender has no GET handshake",
    s429="Too many handshakes for this endpoint; see Retry-After",
)
DELIVERY_ANSWERS = _documented(
    s400="Malformed body", s401="Missing or wrong signature, or a timestamp outside the replay window",
    s403="A source outside the endpoint's --allow-ip", s404="No such endpoint",
    s413="Body larger than the webhook body limit, or an event larger than a Kafka record may be (1 MiB "
    "including the envelope); `detail` names the limit",
    s415="Unsupported Content-Type", s503="Kafka unavailable or the endpoint misconfigured; see Retry-After",
)


async def _endpoint(request: Request, provider: str, endpoint_id: str):  # type: ignore[no-untyped-def]
    if provider not in PROTOCOLS:
        raise Problem(404, "Unknown sender", f"no webhook protocol named {provider!r}")
    endpoint = await request.app.state.endpoints.get(endpoint_id) if len(endpoint_id) <= 64 else None
    if endpoint is None or endpoint.provider != provider:
        WEBHOOK_REQUESTS.labels(provider, "unknown_endpoint").inc()
        raise Problem(404, "Unknown endpoint", "no such webhook endpoint (see `ssi webhook add`)")
    if endpoint.source_networks:
        _check_source(request, provider, endpoint.source_networks)
    return endpoint


def _check_source(request: Request, provider: str, networks: tuple[str, ...]) -> None:
    """The endpoint's allow-list against the client address (X-Forwarded-For only from trusted proxies)."""
    proxies = request.app.state.settings.proxy_networks()
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.get("x-forwarded-for"), proxies)
    if not allowed(address, parse_networks(networks)):
        WEBHOOK_REQUESTS.labels(provider, "source_refused").inc()
        raise Problem(403, "Source not allowed", f"this endpoint accepts requests only from its allowed networks, "
                      f"not from {address or 'an unknown address'}")


def _inbound(request: Request, body: bytes, protocol: ModuleType) -> Inbound:
    """The delivery as the protocol layer reads it. Header names are lower-cased by the server; the full URL is
    built only for a protocol that signs it (``SIGNS_URL``: HubSpot), otherwise left empty (6 us a request)."""
    scope = request.scope
    return Inbound(
        method=request.method,
        url=str(request.url) if getattr(protocol, "SIGNS_URL", False) else "",
        headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},  # as dict(request.headers)
        query=dict(request.query_params) if scope.get("query_string") else {},
        body=body,
    )


def _refuse(provider: str, exc: WebhookError) -> Problem:
    WEBHOOK_REQUESTS.labels(provider, f"refused_{exc.status}").inc()
    return Problem(exc.status, type(exc).__name__, exc.reason)


def _limit_handshakes(request: Request, provider: str, endpoint_id: str) -> None:
    """At most ``handshakes_per_minute`` GETs per endpoint and process: the platforms send one every half hour
    or so; a client asking for more is probing. 429 with Retry-After."""
    buckets = getattr(request.app.state, "handshake_buckets", None)
    if buckets is None:
        buckets = request.app.state.handshake_buckets = TokenBuckets(request.app.state.settings.handshakes_per_minute)
    wait = buckets.take(endpoint_id)
    if wait > 0:
        WEBHOOK_REQUESTS.labels(provider, "handshake_rate_limited").inc()
        raise Problem(429, "Too many handshakes", "this endpoint's handshake is rate-limited; retry later",
                      headers={"Retry-After": retry_after(wait)})


@router.get("/{provider}/{endpoint_id}", summary="A sender's subscription handshake (X CRC, Meta, LinkedIn)",
            responses=HANDSHAKE_ANSWERS)
async def handshake(request: Request, provider: str, endpoint_id: str) -> Response:
    endpoint = await _endpoint(request, provider, endpoint_id)
    _limit_handshakes(request, provider, endpoint.id)
    query = dict(request.query_params)
    try:
        if provider == "x":
            answer: Response = JSONResponse(x.handshake(query, endpoint.secret))
        elif provider == "linkedin":
            answer = JSONResponse(linkedin.handshake(query, endpoint.secret))
        elif provider == "meta":
            answer = PlainTextResponse(meta.subscribe(query, endpoint.verify_token or ""))
        else:
            raise Problem(405, "Method not allowed", f"{provider} webhooks have no GET handshake")
    except WebhookError as exc:
        raise _refuse(provider, exc) from None
    WEBHOOK_REQUESTS.labels(provider, "handshake").inc()
    return answer


def _verify(protocol: ModuleType, endpoint: Endpoint, inbound: Inbound, now: datetime) -> None:
    """Accept a delivery signed with the current secret, or with the previous one during a rotation's overlap
    (a Standard Webhooks sender may send both signatures; one that verifies is enough)."""
    refusal: WebhookError | None = None
    for secret in endpoint.secrets_at(now):
        try:
            if protocol is hubspot:
                hubspot.verify(inbound, secret, now, allow_legacy=endpoint.allow_legacy_signatures)
            else:
                protocol.verify(inbound, secret, now)
            return
        except WebhookError as exc:
            refusal = refusal or exc
    assert refusal is not None
    raise refusal


@router.post("/{provider}/{endpoint_id}", summary="A sender's delivery, verified with its own protocol",
             responses=DELIVERY_ANSWERS)
async def deliver(request: Request, provider: str, endpoint_id: str) -> Response:
    endpoint = await _endpoint(request, provider, endpoint_id)
    settings = request.app.state.settings
    now = datetime.now(UTC)
    body = await read_capped_body(request, settings.max_webhook_body_bytes)
    protocol = PROTOCOLS[provider]
    inbound = _inbound(request, body, protocol)
    try:
        _verify(protocol, endpoint, inbound, now)
        events = protocol.delivery(inbound)
    except WebhookError as exc:
        raise _refuse(provider, exc) from None
    except ValueError as exc:  # the stored secret itself is unusable: our fault, and the sender should retry
        WEBHOOK_REQUESTS.labels(provider, "misconfigured").inc()
        raise Problem(503, "Endpoint misconfigured", f"{exc}; the operator must re-add this endpoint",
                      headers={"Retry-After": "300"}) from None
    try:
        check_quota(request, endpoint.tenant_id, len(events))
    except Problem:
        WEBHOOK_REQUESTS.labels(provider, "quota_exceeded").inc()
        raise
    records = [
        (
            topics.WEBHOOKS_RAW,
            topics.dedup_key(endpoint.tenant_id, provider, raw.id).encode(),
            orjson.dumps(
                {
                    "tenant_id": endpoint.tenant_id,
                    "provider": provider,
                    "endpoint_id": endpoint.id,
                    "received_at": now.isoformat(),
                    "raw": raw.as_dict(),
                }
            ),
        )
        for raw in events
    ]
    request_id = request.state.request_id
    try:
        await request.app.state.producer.send_all(records, kafka_headers(request_id))
    except RecordTooLarge as exc:
        WEBHOOK_REQUESTS.labels(provider, "record_too_large").inc()
        where = "the delivery's event" if len(records) == 1 else f"event {exc.index} of the delivery"
        raise record_too_large(exc, where) from None
    except KafkaUnavailable as exc:
        WEBHOOK_REQUESTS.labels(provider, "unavailable").inc()
        log.warning("webhook delivery answered 503: %s", exc,
                    extra={"tenant": endpoint.tenant_id, "request_id": request_id, "source": provider})
        raise Problem(503, "Event store unavailable", f"{exc}; nothing is lost, retry the delivery",
                      headers={"Retry-After": str(settings.retry_after_seconds)}) from None
    _accepted(provider).inc()
    ACCEPTED_EVENTS.inc(len(records))
    if provider == "salesforce":  # without this exact envelope Salesforce keeps retrying
        return Response(salesforce.ack(True), headers={"content-type": salesforce.ACK_CONTENT_TYPE})
    return Response(b'{"accepted":%d}' % len(records), media_type="application/json")
