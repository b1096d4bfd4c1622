"""The scorer's agent: decode, decide (pure), update tables, emit. Error policy:

- poison (undecodable record, unscorable event): dead-letter topic with its reason and topic[partition]@offset;
- transient (Kafka errors while emitting): raised, so the worker crashes and restarts from the last commit,
  where the idempotent tables make the replay harmless;
- offsets move only after the record was handled (Faust acks an event when the next one is taken).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import faust
from pydantic import ValidationError

from services.scorer.config import ScorerSettings
from services.scorer import dedup
from services.scorer.metrics import (
    CONSUMER_LAG,
    DEDUP_KEYS,
    DEDUP_PRUNED,
    EVENTS,
    PROCESSING_SECONDS,
    RECEIVED_TO_SCORED_SECONDS,
)
from services.scorer.processing import Verdict, decide
from shared import topics
from shared.deadletter import coordinates, dead_letter_record
from shared.events import ActivityEnvelope
from shared.scores import ScoredEvent, ScoreSnapshot
from shared.scoring import RepState, ScoringModel, evaluate

log = logging.getLogger("ssi.scorer")


@dataclass
class Pipeline:
    app: faust.App
    activity: faust.TopicT
    scores: faust.TopicT
    dead_letters: faust.TopicT
    states: faust.Table
    seen: faust.Table
    processed: dict[int, int] = field(default_factory=dict)
    """Last processed offset per activity partition, for the lag gauge."""
    handled: dict[int, int] = field(default_factory=dict)
    """Records handled per partition since start, to pace the dedup table's pruning."""

    async def dead_letter(self, message: faust.types.Message, reason: str, outcome: str) -> None:
        """Poison: to the dead-letter topic with the reason and topic[partition]@offset, counted by outcome."""
        EVENTS.labels(outcome).inc()
        log.warning("dead letter %s: %s", coordinates(message.topic, message.partition, message.offset), reason)
        await self.dead_letters.send(
            key=message.key,
            value=dead_letter_record(
                reason=reason,
                stage="scorer",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                key=message.key,
                value=message.value,
            ),
        )


def register(app: faust.App, settings: ScorerSettings, model: ScoringModel) -> Pipeline:
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    pipeline = Pipeline(
        app=app,
        activity=app.topic(topics.ACTIVITY, partitions=settings.partitions, **raw),
        scores=app.topic(topics.SCORES, partitions=settings.partitions, **raw),
        dead_letters=app.topic(topics.DEAD_LETTER, partitions=settings.partitions, **raw),
        states=app.Table("rep_state", default=None, partitions=settings.partitions),
        seen=app.Table("seen_event", default=None, partitions=settings.partitions),
    )

    def prune_seen(partition: int, now: float) -> None:
        """Forget ids of this partition older than the retention (runs in an event of that partition)."""
        cutoff = now - settings.dedup_retention_days * 86_400
        keys = dedup.expired(list(pipeline.seen.items()), partition, cutoff)
        for key in keys:
            del pipeline.seen[key]
        DEDUP_PRUNED.inc(len(keys))
        DEDUP_KEYS.set(len(pipeline.seen))

    @app.agent(pipeline.activity, name="score-activity")
    async def score_activity(stream: faust.StreamT) -> None:
        async for event in stream.events():
            message = event.message
            started = time.perf_counter()
            pipeline.processed[message.partition] = message.offset
            try:
                envelope = ActivityEnvelope.from_bytes(event.value)
            except (ValidationError, ValueError) as exc:
                await pipeline.dead_letter(message, f"undecodable activity record: {str(exc)[:500]}", "undecodable")
                continue
            rep_key = topics.rep_key(envelope.tenant_id, envelope.event.subject)
            seen_key = topics.dedup_key(envelope.tenant_id, envelope.event.source, envelope.event.id)
            now = datetime.now(UTC)
            decision = decide(
                model,
                envelope,
                offset=message.offset,
                first_seen_at=dedup.first_offset(pipeline.seen.get(seen_key)),
                state=RepState.from_json(pipeline.states.get(rep_key)),
                now=now,
            )
            if decision.dead_letter:  # not marked seen: a replay after the fix must be scored
                await pipeline.dead_letter(message, decision.reason or decision.verdict.value, decision.verdict.value)
                continue
            seen_entry = dedup.entry(message.offset, message.partition, envelope.received_at.timestamp())
            if decision.verdict in (Verdict.REPLAY, Verdict.OUTCOME):
                pipeline.seen[seen_key] = seen_entry
            if decision.state is not None and decision.contribution is not None:
                state_json = decision.state.to_json()
                pipeline.states[rep_key] = state_json  # state first: its seq guards the replay
                pipeline.seen[seen_key] = seen_entry
                score = evaluate(model, decision.state, now.timestamp())
                c, ev = decision.contribution, envelope.event
                snapshot = ScoreSnapshot(
                    tenant_id=envelope.tenant_id,
                    rep_id=ev.subject,
                    model_version=model.version,
                    as_of=now,
                    seq=message.offset,
                    pillars=score.pillars,
                    total=score.total,
                    state=state_json,
                    event=ScoredEvent(
                        id=ev.id, source=ev.source, type=ev.type, time=ev.time, pillar=c.pillar, day=c.day,
                        quality=c.quality, decayed=c.decayed,
                    ),
                )
                await pipeline.scores.send(key=rep_key.encode(), value=snapshot.model_dump_json().encode())
                RECEIVED_TO_SCORED_SECONDS.observe((now - envelope.received_at).total_seconds())
            EVENTS.labels(decision.verdict.value).inc()
            PROCESSING_SECONDS.observe(time.perf_counter() - started)
            handled = pipeline.handled[message.partition] = pipeline.handled.get(message.partition, 0) + 1
            if handled % settings.dedup_scan_every == 0:
                prune_seen(message.partition, now.timestamp())

    @app.timer(interval=5.0)
    async def report_lag() -> None:
        for tp in app.consumer.assignment():
            if tp.topic != topics.ACTIVITY:
                continue
            highwater = app.consumer.highwater(tp)
            if highwater is None:
                continue
            done = pipeline.processed.get(tp.partition, -1) + 1
            CONSUMER_LAG.labels(str(tp.partition)).set(max(0, highwater - max(done, 0)))

    return pipeline
