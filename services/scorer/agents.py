"""The scorer's hot path: one call per fetched batch of activity records. Decode, decide (pure), write, emit.

Per batch: records are grouped by rep; each touched rep's state is decoded once, every record of the rep
is decided and applied in offset order, and the state is written once (one changelog record per rep per
batch), followed by one compact snapshot and one ledger record for the rep; the ids the batch met for the rep
go into one dedup record, and expire incrementally (services.scorer.dedup).

Error policy:
- poison (undecodable record, unscorable event): dead-letter topic with its reason and topic[partition]@offset;
- transient (Kafka errors while emitting): raised, so the worker crashes and restarts from the last commit,
  where the idempotent tables make the replay harmless;
- offsets move only after the batch was handled and the broker acknowledged what it wrote: the batch's records
  go out together (services.scorer.outbox), and the batch consumer acks its input when they are in Kafka
  (services.scorer.batch_consumer).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import struct
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust
import orjson
from faust.types import Message
from pydantic import ValidationError

from services.scorer import batch_consumer, dedup
from services.scorer.erasures import Fate, Registry, fate
from services.scorer.quotas import REFUSALS, HourlyLimit, Quotas, TenantCounts
from services.scorer.config import ScorerSettings
from services.scorer.fault_switches import FaultSwitches
from services.scorer.outbox import Outbox
from services.scorer.metrics import (
    BATCH_RECORDS,
    BATCH_REPS,
    CONSUMER_LAG,
    DEDUP_KEYS,
    DEDUP_PRUNED,
    EVENTS,
    ERASED_RECORDS_DROPPED,
    IDLE_DROPPED,
    PROCESSING_SECONDS,
    RECEIVED_TO_SCORED_SECONDS,
    REPS,
)
from services.scorer.processing import Verdict, decide
from shared import topics
from shared.db.engine import make_engine
from shared.deadletter import REQUEST_IDS_HEADER, coordinates, dead_letter_record
from shared.http.request_id import from_kafka_headers
from shared.logs import TRAIL
from shared.events import ActivityEnvelope
from shared.kafka_producer import KeyHashPartitioner
from shared.outcomes import encode as encode_stored
from shared.scores import encode
from shared.scoring import RepState, ScoringModel, apply_contribution, evaluate
from shared.scoring.state import idle_after_seconds, peek

log = logging.getLogger("ssi.scorer")
trail = logging.getLogger(TRAIL + ".scorer")

LEDGER_ROWS_PER_RECORD = 1000
"""A busy rep can have thousands of events in one batch: its ledger rows go in records of at most this many
(about 215 bytes a row with a UUID id), far below the producer's 1 MB request limit. One record for all of them crashed the
worker with MessageSizeTooLargeError on a rep with 5,000 events in a batch, again after every restart."""


def put(outbox: Outbox, table: faust.Table, partition: int, key: bytes, value: bytes) -> None:
    """Set a table key with its changelog record in ``partition`` (the input record's), explicitly: a batch
    spans partitions, so Faust's 'partition of the current event' would be wrong here. The record goes out
    with the batch's other writes (services.scorer.outbox); the in-memory store keeps no changelog offsets,
    so Faust's send callback, which only records them for RocksDB, is not needed."""
    table.data[key] = value
    outbox.add(table.changelog_topic.get_topic_name(), partition, key, value)


def delete(outbox: Outbox, table: faust.Table, partition: int, key: bytes) -> None:
    table.data.pop(key, None)
    outbox.add(table.changelog_topic.get_topic_name(), partition, key, None)


@dataclass
class Pipeline:
    app: faust.App
    settings: ScorerSettings
    model: ScoringModel
    activity: faust.TopicT
    dead_letters: faust.TopicT
    states: faust.Table
    seen: faust.Table
    outbox: Outbox
    """Every record the pipeline writes but dead letters (snapshots, ledger, outcomes, the tables' changelogs),
    submitted per batch (services.scorer.outbox)."""
    seen_index: dedup.SeenIndex = field(default_factory=dedup.SeenIndex)
    processed: dict[int, int] = field(default_factory=dict)
    """Last processed offset per activity partition, for the lag gauge."""
    handled: int = 0
    """Records handled since start (for the tests' fault injection)."""
    faults: FaultSwitches = field(default_factory=FaultSwitches)
    """Test-only fault injection (refused unless SSI_ENV=test)."""
    partitions: int = 0
    """The partition count of the activity topic, and so of every topic keyed by rep (shared.topics)."""
    sweep: list[bytes] = field(default_factory=list)
    """Rep keys still to check in the current idle sweep (a pass lists the keys once, then checks slices)."""
    erasures: Registry | None = None
    """The registry of erased reps (services.scorer.erasures), read before every batch."""
    quotas: Quotas | None = None
    """Per-tenant quotas (services.scorer.quotas)."""

    def __post_init__(self) -> None:
        self._partitioner = KeyHashPartitioner()
        self._all_partitions = list(range(self.partitions))

    async def dead_letter(
        self, message: Message, reason: str, outcome: str, envelope: ActivityEnvelope | None = None, *,
        keep_value: bool = True,
    ) -> None:
        """Poison: to the dead-letter topic with the reason, topic[partition]@offset and the request id that
        brought it (its Kafka header), counted by outcome, and logged with them (and the event, when known).
        ``keep_value=False`` leaves the payload out (an erased rep's event: nothing about it is stored, nor
        logged beyond its coordinates)."""
        EVENTS.labels(outcome).inc()
        if self.quotas is not None and not self.quotas.dead_letters.take(
            (message.key or b"").split(b"|", 1)[0].decode("utf-8", "replace"), time.time()
        ):
            REFUSALS.labels("dead_letters").inc()  # past the tenant's dead letters per hour: dropped, counted
            return
        request_id = from_kafka_headers(message.headers)
        origin = coordinates(message.topic, message.partition, message.offset)
        context = {"origin": origin, "verdict": outcome, "request_id": request_id}
        if envelope is not None and keep_value:
            context.update(tenant=envelope.tenant_id, rep=envelope.event.subject, event_id=envelope.event.id)
        log.warning("dead letter %s: %s", origin, reason, extra=context)
        await self.dead_letters.send(
            key=message.key,
            value=dead_letter_record(
                reason=reason,
                stage="scorer",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                key=message.key,
                value=message.value if keep_value else None,
                request_id=request_id,
            ),
        )

    async def _admit_rep(self, key: bytes, items: list[tuple[Message, ActivityEnvelope]]) -> bool:
        """A rep without state is a new rep: within the tenant's rep quota, or its events are dead-lettered."""
        assert self.quotas is not None
        tenant_id = topics.split_rep_key(key.decode())[0]
        if self.quotas.counts.admit_rep(tenant_id):
            return True
        REFUSALS.labels("reps").inc(len(items))
        reason = (f"rep quota: the tenant has {self.quotas.counts.max_reps} reps (SSI_QUOTA_REPS_PER_TENANT); "
                  "replay after raising it or erasing reps")
        for message, _ in items:
            await self.dead_letter(message, reason, "quota_reps")
        return False

    def key_partition(self, key: bytes) -> int:
        """The partition the default partitioner gives ``key`` (murmur2, as Kafka's clients): a rep's snapshots,
        ledger and outcomes stay in one partition, in order, as when Faust chose it."""
        return self._partitioner(key, self._all_partitions, self._all_partitions)

    def _active_partitions(self) -> set[int]:
        return {tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == topics.ACTIVITY}

    def forget_rep(self, key: bytes, active: set[int]) -> int:
        """Drop an erased rep's state with a changelog tombstone, if this worker owns its partition."""
        raw = self.states.data.get(key)
        if not raw:
            return 0
        try:
            _, partition = peek(raw)
        except (ValueError, struct.error):
            return 0
        if partition not in active:
            return 0
        delete(self.outbox, self.states, partition, key)
        ERASED_RECORDS_DROPPED.inc()
        return 1

    def forget_dedup(self, reps: set[bytes], active: set[int]) -> int:
        """Drop the dedup records of these reps (key ``rep key|partition|offset``) with changelog tombstones, in
        owned partitions: one pass over the dedup table, done only when the registry changed."""
        dropped = 0
        for seen_key in list(self.seen.data.keys()):
            if seen_key.rsplit(b"|", 2)[0] not in reps:
                continue
            try:
                _, partition, entries = dedup.decode(self.seen.data.get(seen_key))
            except (struct.error, TypeError):
                continue
            if partition not in active:
                continue
            for id_digest, offset in entries:
                if self.seen_index.first.get(id_digest) == offset:
                    del self.seen_index.first[id_digest]
            delete(self.outbox, self.seen, partition, seen_key)
            dropped += 1
        ERASED_RECORDS_DROPPED.inc(dropped)
        return dropped

    def forget_erased(self, active: set[int]) -> int:
        """The erased reps' states still held in owned partitions (after a rebalance), dropped: O(erased reps).
        Their dedup records there expire with the dedup retention."""
        if self.erasures is None:
            return 0
        return sum(self.forget_rep(key, active) for key in self.erasures.erased_keys())

    async def handle(self, messages: list[Message]) -> asyncio.Future[Any] | None:
        """Score one fetched batch of activity records (any partitions, offset order within each). Returns the
        future of the batch's writes (services.scorer.outbox): the records are acked once it completes."""
        started = time.perf_counter()
        if self.faults.drops(len(messages)):  # tests only (refused unless SSI_ENV=test)
            log.warning("test fault: a batch of %d records dropped unscored", len(messages))
            return None
        registry = self.erasures
        if registry is not None:
            erased = {key for key in await registry.refresh() if registry.entries[key].erased}
            if erased:  # newly erased (or, after a start, every erased rep): drop what this worker holds of them
                active = self._active_partitions()
                for key in erased:
                    self.forget_rep(key, active)
                self.forget_dedup(erased, active)
        if self.quotas is not None:
            await self.quotas.refresh_if_due()
        now = datetime.now(UTC)
        groups: dict[bytes, list[tuple[Message, ActivityEnvelope]]] = {}
        for message in messages:
            self.processed[message.partition] = message.offset
            try:
                envelope = ActivityEnvelope.model_validate_json(message.value)
            except (ValidationError, ValueError, TypeError) as exc:
                await self.dead_letter(message, f"undecodable activity record: {str(exc)[:500]}", "undecodable")
                continue
            key = topics.rep_key(envelope.tenant_id, envelope.event.subject).encode()
            if registry is not None and registry.entries:
                entry = registry.get(key)
                verdict = fate(entry, envelope.received_at)
                if verdict is Fate.SKIP:
                    EVENTS.labels("erased_skipped").inc()
                    continue
                if verdict is Fate.DEAD_LETTER:
                    self.forget_rep(key, {message.partition})
                    await self.dead_letter(message, "erased", "erased", keep_value=False)
                    continue
            group = groups.get(key)
            if group is None:
                groups[key] = [(message, envelope)]
            else:
                group.append((message, envelope))
        verdicts: Counter[str] = Counter()
        kill_at = self.settings.test_kill_at_record
        for key, items in groups.items():
            if self.quotas is not None and key not in self.states.data and not await self._admit_rep(key, items):
                continue
            await self._score_rep(key, items, now, verdicts)
            self.handled += len(items)
            if kill_at is not None and self.handled >= kill_at:  # tests only (refused in production)
                log.warning("test fault: SIGKILL after %d records, in the middle of a batch", self.handled)
                os.kill(os.getpid(), signal.SIGKILL)
        for verdict, n in verdicts.items():
            EVENTS.labels(verdict).inc(n)
        self._prune({m.partition for m in messages}, now.timestamp())
        BATCH_RECORDS.observe(len(messages))
        BATCH_REPS.observe(len(groups))
        written = await self.outbox.send()
        PROCESSING_SECONDS.observe(time.perf_counter() - started)
        return written

    async def _score_rep(
        self, key: bytes, items: list[tuple[Message, ActivityEnvelope]], now: datetime, verdicts: Counter[str]
    ) -> None:
        partition = items[0][0].partition
        seen = self.seen_index
        state = RepState.from_bytes(self.states.data.get(key))
        rows: list[dict[str, Any]] = []
        new_ids: list[tuple[bytes, int]] = []
        newest_arrival = 0.0
        events_before = state.events
        tracing = trail.isEnabledFor(logging.DEBUG)
        request_ids: list[str | None] = []
        """The request id of each ledger row, in order (a header of the ledger record, for the sink's trail)."""
        for message, envelope in items:
            event = envelope.event
            id_digest = dedup.digest(topics.dedup_key(envelope.tenant_id, event.source, event.id))
            first = seen.first_offset(id_digest)
            decision = decide(self.model, envelope, offset=message.offset, partition=message.partition,
                              first_seen_at=first, state=state, now=now)
            if decision.dead_letter:  # not marked seen: a replay after the fix must be scored
                await self.dead_letter(message, decision.reason or decision.verdict.value, decision.verdict.value,
                                       envelope)
                continue
            verdicts[decision.verdict.value] += 1
            if tracing:
                trail.debug(decision.verdict.value, extra={
                    "tenant": envelope.tenant_id, "rep": event.subject, "event_id": event.id,
                    "request_id": from_kafka_headers(message.headers), "verdict": decision.verdict.value,
                    "origin": coordinates(message.topic, message.partition, message.offset)})
            if decision.mark_seen and first is None:
                seen.remember(id_digest, message.offset)
                new_ids.append((id_digest, message.offset))
                newest_arrival = max(newest_arrival, envelope.received_at.timestamp())
            if decision.stored is not None:  # an outcome or a mention: stored by the sink, not scored
                self.outbox.add(topics.OUTCOMES, self.key_partition(key), key, encode_stored(
                    envelope.tenant_id, event.subject, event.source, event.id, event.type, event.time.isoformat(),
                    decision.stored, now.isoformat()))
            c = decision.contribution
            if decision.verdict is Verdict.SCORED and c is not None and self.faults.applies_twice():
                log.warning("test fault: %s applied twice", coordinates(message.topic, message.partition, message.offset))
                apply_contribution(self.model, state, c, event_type=event.type, event_time=event.time.timestamp(),
                                   seq=message.offset, partition=message.partition)
            if decision.verdict in (Verdict.SCORED, Verdict.REPLAY) and c is not None:
                rows.append({"id": event.id, "source": event.source, "type": event.type,
                             "time": event.time.isoformat(), "pillar": c.pillar, "day": c.day,
                             "quality": c.quality, "decayed": c.decayed})
                request_ids.append(from_kafka_headers(message.headers))
                if decision.verdict is Verdict.SCORED:
                    RECEIVED_TO_SCORED_SECONDS.observe((now - envelope.received_at).total_seconds())
        if new_ids:  # the ids this batch met for this rep: one dedup record
            seen_key = dedup.record_key(key, partition, new_ids[0][1])
            put(self.outbox, self.seen, partition, seen_key, dedup.encode(newest_arrival, partition, new_ids))
            seen.written(seen_key, newest_arrival, partition)
        if not rows:
            return
        if state.events != events_before:  # something was applied: the state is written once per rep per batch
            put(self.outbox, self.states, partition, key, state.to_bytes())
        tenant_id, rep_id = topics.split_rep_key(key.decode())
        score = evaluate(self.model, state, now.timestamp())
        as_of = now.isoformat()
        # into the batch's outbox: submitted when the batch ends; its input is acked once the broker has it all
        out = self.outbox
        target = self.key_partition(key)
        out.add(topics.SCORES, target, key, encode({
            "tenant_id": tenant_id, "rep_id": rep_id, "model_version": self.model.version, "as_of": as_of,
            "seq": state.seq, "events": state.events, "pillars": score.pillars, "total": score.total,
            "basis": state.basis(self.model).to_json(),
        }))
        for start in range(0, len(rows), LEDGER_ROWS_PER_RECORD):
            ids = request_ids[start : start + LEDGER_ROWS_PER_RECORD]  # one per row, as the sink reads them
            out.add(topics.LEDGER, target, key, encode({
                "tenant_id": tenant_id, "rep_id": rep_id, "model_version": self.model.version, "scored_at": as_of,
                "rows": rows[start : start + LEDGER_ROWS_PER_RECORD],
            }), [(REQUEST_IDS_HEADER, orjson.dumps(ids))] if any(ids) else None)

    def sweep_idle(self, active_partitions: set[int], now: float) -> int:
        """Drop, with a tombstone, the state of reps idle beyond the model's horizon, one slice per call; only
        in partitions this worker owns (a tombstone goes to the rep's own changelog partition)."""
        if not self.sweep:
            self.sweep = list(self.states.data.keys())
        chunk = self.sweep[-self.settings.idle_sweep_batch :]
        del self.sweep[-self.settings.idle_sweep_batch :]
        cutoff = now - idle_after_seconds(self.model)
        dropped = 0
        for key in chunk:
            raw = self.states.data.get(key)
            if not raw:
                continue
            try:
                anchor, partition = peek(raw)
            except (ValueError, struct.error):
                continue
            if anchor < cutoff and partition in active_partitions:
                delete(self.outbox, self.states, partition, key)
                dropped += 1
        IDLE_DROPPED.inc(dropped)
        REPS.set(len(self.states.data))
        return dropped

    def _prune(self, partitions: set[int], now: float) -> None:
        """Forget the ids of these partitions that arrived before the retention (amortised O(1) per event)."""
        cutoff = now - self.settings.dedup_retention_days * 86_400
        pruned = 0
        before = len(self.seen_index)
        for partition in partitions:
            for key in self.seen_index.expired(partition, cutoff, self.seen.data):
                delete(self.outbox, self.seen, partition, key)
        pruned = before - len(self.seen_index)
        if pruned:
            DEDUP_PRUNED.inc(pruned)
        DEDUP_KEYS.set(len(self.seen_index))


def register(app: faust.App, settings: ScorerSettings, model: ScoringModel, partitions: int) -> Pipeline:
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}

    def stop(exc: BaseException) -> None:
        asyncio.ensure_future(app.crash(exc))  # noqa: RUF006 - the app holds the crash; it exits the worker

    pipeline = Pipeline(
        app=app,
        settings=settings,
        model=model,
        activity=app.topic(topics.ACTIVITY, partitions=partitions, **raw),
        dead_letters=app.topic(topics.DEAD_LETTER, partitions=partitions, **raw),
        # compact binary values (shared.scoring.state, services.scorer.dedup), raw bytes keys
        states=app.Table("rep_state", default=None, partitions=partitions, key_type=bytes, value_type=bytes),
        seen=app.Table("seen_event", default=None, partitions=partitions, key_type=bytes, value_type=bytes),
        outbox=Outbox(lambda: app.producer._ensure_producer(), stop),
        faults=FaultSwitches(settings.test_drop_batch_at_record, settings.test_double_at_record),
        partitions=partitions,
    )
    engine = make_engine(settings.database_url, application_name="ssi-scorer", pool_size=1)
    pipeline.erasures = Registry(engine)
    pipeline.quotas = Quotas(
        engine=engine,
        counts=TenantCounts(max_reps=settings.quota_reps, max_parked_identities=settings.quota_parked_identities),
        dead_letters=HourlyLimit(settings.quota_dead_letters_per_hour),
        refresh_seconds=settings.quota_refresh_seconds,
    )

    @pipeline.seen.on_recover
    async def index_seen() -> None:
        """After every recovery (start-up, rebalance): index the dedup entries once, for incremental expiry."""
        bad = pipeline.seen_index.rebuild(pipeline.seen.data.items())
        if bad:
            log.error("%d dedup records could not be decoded and are left out of the index", bad)
        DEDUP_KEYS.set(len(pipeline.seen_index))

    batch_consumer.batch(app, pipeline.activity, pipeline.handle)

    @app.timer(interval=settings.idle_sweep_seconds)
    async def sweep_idle_reps() -> None:
        if app.rebalancing or app.in_recovery:
            return
        active = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topics.ACTIVITY}
        pipeline.sweep_idle(active, time.time())
        pipeline.forget_erased(active)
        await pipeline.outbox.send()  # the tombstones; a failure stops the worker (services.scorer.outbox)

    reported: set[str] = set()

    @app.timer(interval=5.0)
    async def report_lag() -> None:
        owned = set()
        for tp in app.consumer.assignment():
            if tp.topic != topics.ACTIVITY:
                continue
            highwater = app.consumer.highwater(tp)
            if highwater is None:
                continue
            done = pipeline.processed.get(tp.partition, -1) + 1
            owned.add(str(tp.partition))
            CONSUMER_LAG.labels(str(tp.partition)).set(max(0, highwater - max(done, 0)))
        for partition in reported - owned:  # moved to another worker: its lag is that worker's to report
            CONSUMER_LAG.remove(partition)
        reported.clear()
        reported.update(owned)

    return pipeline
