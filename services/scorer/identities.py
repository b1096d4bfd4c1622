"""Webhook events into scored activity: normalise in the stream, resolve platform identities to reps.

    webhooks.raw --normalize--> normalized (key tenant|platform|identity) --resolve--> activity (key tenant|rep)
                                identities (same key, compacted, from PUT /v1/reps) --claim--^
An event whose identity no rep claims yet is parked in a table under that key (counted in a metric) and
sent on as soon as a claim arrives; ``normalized`` and ``identities`` share key and partition count, so a
claim and the events it releases always meet in one partition. Standard Webhooks carry a CloudEvent whose
subject is already the rep, so they skip the directory.
Error policy as in agents.py: unmappable or invalid events go to the dead-letter topic with their reason.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import faust
import orjson
from prometheus_client import Counter, Gauge
from pydantic import ValidationError

from services.scorer import batch_consumer
from services.scorer.agents import Pipeline
from services.scorer.config import ScorerSettings
from services.scorer.normalize import Normalized, Unmappable, normalize
from services.scorer.parking import Route, overflow_reason, route, status
from services.scorer.quotas import REFUSALS
from shared import topics
from shared.events import ActivityEnvelope, CloudEvent

log = logging.getLogger("ssi.identities")

WEBHOOK_EVENTS = Counter("ssi_scorer_webhook_events_total", "Webhook events in the stream, by outcome.", ["outcome"])
PARKED = Gauge("ssi_scorer_parked_events", "Events waiting for a rep to claim their platform identity.")


def activity_record(tenant_id: str, received_at: str, n: dict[str, Any], rep_id: str) -> tuple[bytes, bytes]:
    """(key, value) of the activity topic for a normalised event attributed to ``rep_id``; raises on invalid."""
    event = CloudEvent.model_validate(
        {"specversion": "1.0", "id": n["id"], "source": n["source"], "type": n["type"], "time": n["time"],
         "subject": rep_id, "data": n.get("data") or {}}
    )
    envelope = ActivityEnvelope(tenant_id=tenant_id, received_at=datetime.fromisoformat(received_at), event=event)
    return topics.rep_key(tenant_id, rep_id).encode(), envelope.to_bytes()


def as_record(n: Normalized) -> dict[str, Any]:
    return {"id": n.id, "source": n.source, "type": n.type, "time": n.time.isoformat(), "identity": n.identity,
            "data": n.data}


def register(app: faust.App, settings: ScorerSettings, pipeline: Pipeline, partitions: int) -> None:
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    webhooks_topic = app.topic(topics.WEBHOOKS_RAW, partitions=partitions, **raw)
    normalized_topic = app.topic(topics.NORMALIZED, partitions=partitions, **raw)
    identities_topic = app.topic(topics.IDENTITIES, partitions=partitions, **raw)
    status_topic = app.topic(topics.IDENTITY_STATUS, partitions=partitions, **raw)
    # strictly in offset order from the commit, as the activity batches (services.scorer.batch_consumer)
    batch_consumer.ordered(app, webhooks_topic)
    batch_consumer.ordered(app, normalized_topic)
    batch_consumer.ordered(app, identities_topic, compacted=True)
    claims = app.Table("identity_claim", default=None, partitions=partitions)
    parked = app.Table("parked_event", default=None, partitions=partitions)

    async def to_activity(message: faust.types.Message, tenant_id: str, received_at: str, n: dict, rep_id: str) -> None:
        try:
            key, value = activity_record(tenant_id, received_at, n, rep_id)
        except (ValidationError, ValueError) as exc:
            WEBHOOK_EVENTS.labels("invalid").inc()
            await pipeline.dead_letter(message, f"normalised event is not a valid activity: {str(exc)[:400]}", "invalid")
            return
        # the delivery's request id travels on (shared.http.request_id); an event parked first loses it
        await pipeline.activity.send(key=key, value=value, headers=message.headers or None)
        WEBHOOK_EVENTS.labels("resolved").inc()

    async def report(key: str, parked_events: list[dict]) -> None:
        """Tell the sink (hence the api) how many events wait for this identity; 0 once claimed."""
        await status_topic.send(key=key.encode(), value=orjson.dumps(status(key, parked_events)))

    @app.agent(webhooks_topic, name="normalize-webhooks")
    async def normalize_webhooks(stream: faust.StreamT) -> None:
        async for event in stream.events():
            message = event.message
            try:
                record = orjson.loads(event.value)
                tenant_id, provider, received_at = record["tenant_id"], record["provider"], record["received_at"]
                items = normalize(provider, record["raw"])
            except Unmappable as exc:
                WEBHOOK_EVENTS.labels("unmappable").inc()
                await pipeline.dead_letter(message, f"unmappable webhook event: {exc}", "unmappable")
                continue
            except (ValueError, KeyError, TypeError) as exc:
                await pipeline.dead_letter(message, f"undecodable webhook record: {str(exc)[:400]}", "undecodable")
                continue
            for n in items:
                body = {"tenant_id": tenant_id, "received_at": received_at, "event": as_record(n)}
                if provider == "standard":  # the CloudEvent's subject is the rep already
                    await to_activity(message, tenant_id, received_at, body["event"], n.identity)
                    continue
                key = topics.identity_key(tenant_id, n.source, n.identity).encode()
                await normalized_topic.send(key=key, value=orjson.dumps(body), headers=message.headers or None)

    @app.agent(normalized_topic, name="resolve-identities")
    async def resolve_identities(stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                key = event.key.decode()
                body = orjson.loads(event.value)
                if not all(field in body for field in ("tenant_id", "received_at", "event")):
                    raise KeyError("tenant_id, received_at and event are required")
            except (AttributeError, ValueError, KeyError, TypeError) as exc:
                await pipeline.dead_letter(event.message, f"undecodable normalised record: {str(exc)[:300]}", "undecodable")
                continue
            rep_id = claims.get(key)
            waiting = list(parked.get(key) or [])
            where = route(rep_id, len(waiting))
            if where is Route.DELIVER:
                await to_activity(event.message, body["tenant_id"], body["received_at"], body["event"], rep_id)
                continue
            if where is Route.OVERFLOW:
                await pipeline.dead_letter(event.message, overflow_reason(key), "park_overflow")
                continue
            quotas = pipeline.quotas
            if not waiting and quotas is not None and not quotas.counts.admit_parked_identity(body["tenant_id"]):
                REFUSALS.labels("parked_identities").inc()
                await pipeline.dead_letter(
                    event.message, f"parked identity quota: the tenant has {quotas.counts.max_parked_identities} "
                    "unclaimed identities with parked events (SSI_QUOTA_PARKED_IDENTITIES_PER_TENANT); claim them "
                    "(PUT /v1/reps/{rep_id}) and replay", "quota_parked_identities")
                continue
            waiting.append(body)
            parked[key] = waiting
            await report(key, waiting)
            PARKED.inc()
            WEBHOOK_EVENTS.labels("parked").inc()

    @app.agent(identities_topic, name="claim-identities")
    async def claim_identities(stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                key = event.key.decode()
                rep_id = orjson.loads(event.value)["rep_id"] if event.value else None
            except (AttributeError, ValueError, KeyError, TypeError) as exc:
                await pipeline.dead_letter(event.message, f"undecodable identity claim: {str(exc)[:300]}", "undecodable")
                continue
            if rep_id is None:  # tombstone: the identity was released
                claims.pop(key, None)
                continue
            claims[key] = rep_id
            waiting = parked.get(key) or []
            if waiting:
                parked.pop(key, None)
                PARKED.dec(len(waiting))
                log.info("identity %s claimed by %s: releasing %d parked events", key, rep_id, len(waiting))
                for body in waiting:
                    await to_activity(event.message, body["tenant_id"], body["received_at"], body["event"], rep_id)
                await report(key, [])

    @app.timer(interval=10.0)
    async def count_parked() -> None:
        PARKED.set(sum(len(v or []) for v in parked.values()))

