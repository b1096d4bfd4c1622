"""python -m services.scorer.sink: consume snapshots, ledger records, outcomes and mentions; write Postgres in batches.

Error policy:
- poison (an undecodable record, one for an unknown tenant, an identity status of the wrong shape): to the
  dead-letter topic with its reason, never retried;
- transient (a Postgres or Kafka error): the whole batch is retried with backoff and offsets are committed
  only after the Postgres transaction committed, so the sink can fall behind and catch up without loss. A
  commit refused because the group rebalanced meanwhile is not an error: the batch is read and written again.
  ``SSI_SINK_MAX_ATTEMPTS`` (30 by default, about 4.5 minutes of backoff) bounds the attempts; past it the
  sink exits with status 3, to be restarted by its supervisor, and resumes from the last commit;
- refused for what it holds (Postgres' DataError or IntegrityError: a NUL character in a text, a value out of
  a column's range): the batch is split in halves, each written in its own transaction, until the record
  that fails alone is found; that record goes to the dead-letter topic with Postgres' reason and the rest is
  written. Writes are idempotent (newest-wins upserts, a ledger keyed by event), so writing a half twice is
  harmless.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import CommitFailedError
from prometheus_client import start_http_server
from pydantic import ValidationError

from services.scorer.sink import outcome_repository, read_models, repository
from services.scorer.sink.batching import newest_per_rep, newest_per_rep_day
from services.scorer.sink.config import SinkSettings
from services.scorer.sink.metrics import (
    EXPLANATIONS,
    HISTORY_EXPIRED,
    LEDGER_EXPIRED,
    READ_MODEL_PASSED,
    READ_MODEL_SECONDS,
    REFRESH_SECONDS,
    ROWS_EXPIRED,
    SINK_BATCH_SECONDS,
    SINK_LAG,
    SINK_RECORDS,
    SINK_RETRIES,
    SINK_ROWS,
)
from services.scorer.sink.records import decode_batch
from shared import logs, topics
from shared.db import erasure
from shared.db.engine import make_engine
from shared.deadletter import REQUEST_IDS_HEADER, dead_letter_record
from shared.logs import TRAIL

log = logging.getLogger("ssi.sink")
trail = logging.getLogger(TRAIL + ".sink")


def ledger_request_ids(record: Any, rows: int) -> list[str | None]:
    """The request id of each row of a ledger record (its header, services.scorer.agents), ``rows`` Nones when
    it has none (or all it has, with ``rows`` 0)."""
    for key, value in record.headers or ():
        if key == REQUEST_IDS_HEADER:
            try:
                ids = orjson.loads(value)
            except orjson.JSONDecodeError:
                break
            if isinstance(ids, list) and (rows == 0 or len(ids) == rows):
                return [i if isinstance(i, str) else None for i in ids]
            break
    return [None] * rows


class GaveUp(RuntimeError):
    """A batch failed ``max_attempts`` times: the process exits and is restarted from the last commit."""


async def run(settings: SinkSettings, stop: asyncio.Event) -> None:
    engine = make_engine(settings.database_url, application_name="ssi-sink", pool_size=2)
    consumer = AIOKafkaConsumer(
        topics.SCORES,
        topics.LEDGER,
        topics.IDENTITY_STATUS,
        topics.OUTCOMES,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=settings.batch_max,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        **settings.kafka_security().client_kwargs(),
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True,
                                **settings.kafka_security().client_kwargs())
    await consumer.start()
    await producer.start()
    log.info("sink consuming %s, %s, %s, %s as group %s", topics.SCORES, topics.LEDGER, topics.IDENTITY_STATUS,
             topics.OUTCOMES, settings.group)
    refresher = asyncio.create_task(refresh_forever(settings, engine, stop))
    expirer = asyncio.create_task(expire_ledger_forever(settings, engine, stop))
    maintainer = asyncio.create_task(maintain_read_models_forever(settings, engine, stop))
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=settings.batch_wait_ms, max_records=settings.batch_max)
            records = [r for part in batch.values() for r in part]
            if not records:
                continue
            await write_with_retry(settings, engine, producer, records, stop)
            try:
                await consumer.commit()
            except CommitFailedError as exc:
                # the group rebalanced while the batch was written (seen after the broker froze for 20 s,
                # tests/faults): the rows are in Postgres, and whichever member now owns the partitions reads
                # the records again and writes them again, idempotently. The next fetch rejoins the group.
                log.warning("offsets not committed, the group rebalanced meanwhile (%s); carrying on", exc)
                continue
            for tp in consumer.assignment():
                highwater = consumer.highwater(tp)
                position = await consumer.position(tp)
                if highwater is not None:
                    SINK_LAG.labels(f"{tp.topic}[{tp.partition}]").set(max(0, highwater - position))
    finally:
        refresher.cancel()
        expirer.cancel()
        maintainer.cancel()
        await consumer.stop()
        await producer.stop()
        await engine.dispose()


REFUSED_FOR_CONTENT = ("22", "23")
"""SQLSTATE classes of what Postgres refuses for what the rows hold (data exception, integrity constraint
violation): writing the same rows again fails the same way."""


def postgres_error(exc: BaseException) -> BaseException | None:
    """The driver's own error under SQLAlchemy's wrapping (the innermost that carries ``sqlstate``), if any."""
    seen: BaseException | None = exc
    found: BaseException | None = None
    for _ in range(6):
        if seen is None:
            break
        if isinstance(getattr(seen, "sqlstate", None), str):
            found = seen
        seen = getattr(seen, "orig", None) or seen.__cause__
    return found


def refused_for_content(exc: BaseException) -> bool:
    error = postgres_error(exc)
    return error is not None and str(error.sqlstate)[:2] in REFUSED_FOR_CONTENT  # type: ignore[attr-defined]


async def write_with_retry(settings: SinkSettings, engine, producer, records, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    delay, attempt = 0.5, 0
    while True:
        attempt += 1
        try:
            await write_batch(engine, producer, records)
            return
        except Exception as exc:  # noqa: BLE001 - transient by policy: retried, offsets not committed
            if refused_for_content(exc):
                await isolate_refused(settings, engine, producer, records, stop, exc)
                return
            if stop.is_set():
                raise
            if settings.max_attempts and attempt >= settings.max_attempts:
                raise GaveUp(f"batch of {len(records)} failed {attempt} times; last: {type(exc).__name__}") from exc
            SINK_RETRIES.inc()
            log.warning("sink batch of %d failed (%s: %s); retrying in %.1fs", len(records), type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def isolate_refused(settings: SinkSettings, engine, producer, records, stop: asyncio.Event,  # type: ignore[no-untyped-def]
                          exc: Exception) -> None:
    """Find the records Postgres refuses by halving the batch: a record refused on its own is dead-lettered with
    Postgres' reason; every other record is written. One bad record costs about 2·log2(batch) transactions."""
    if len(records) == 1:
        reason = f"postgres refused the record: {refusal(exc)}"
        SINK_RECORDS.labels("dead_letter").inc()
        await send_dead_letter(producer, records[0], reason)
        return
    log.warning("postgres refused a batch of %d (%s); splitting it to find the record", len(records), refusal(exc))
    middle = len(records) // 2
    for half in (records[:middle], records[middle:]):
        await write_with_retry(settings, engine, producer, half, stop)


def refusal(exc: Exception) -> str:
    """Postgres' class and first line of message: what the row held that it refused, with no SQL or parameters."""
    cause = postgres_error(exc) or exc
    message = str(cause).splitlines()[0] if str(cause) else ""
    return f"{type(cause).__name__}: {message[:200]}"


async def send_dead_letter(producer: AIOKafkaProducer, record, reason: str) -> None:  # type: ignore[no-untyped-def]
    request_ids = sorted({r for r in ledger_request_ids(record, 0) if r})
    request_id = ",".join(request_ids) or None
    log.warning("dead letter %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason,
                extra={"origin": f"{record.topic}[{record.partition}]@{record.offset}", "request_id": request_id})
    await producer.send_and_wait(
        topics.DEAD_LETTER,
        key=record.key,
        value=dead_letter_record(
            reason=reason,
            stage="sink",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            request_id=request_id,
        ),
    )


async def write_batch(engine, producer: AIOKafkaProducer, records) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    decoded = decode_batch(records)
    poison = list(decoded.poison)
    async with engine.begin() as conn:
        await erasure.lock_for_writes(conn)  # an erasure in progress finishes first; one starting waits for this
        known = await repository.existing_tenants(conn, decoded.tenant_ids())
        statuses = [s for s in decoded.statuses.values() if s.tenant_id in known]
        SINK_ROWS.labels("unclaimed_identities").inc(
            await repository.apply_identity_status(conn, [s.model_dump() for s in statuses])
        )
        snapshots = [s for _, s in decoded.snapshots if s.tenant_id in known]
        ledger_records = [(r, b) for r, b in decoded.ledger if b.tenant_id in known]
        ledger = [b for _, b in ledger_records]
        # the registry of erased reps: nothing of an erased rep is written, nor any output produced before an
        # erasure (a replay of the scores or ledger topic, or a scorer batch that overlapped the erasure)
        stored = [e for _, e in decoded.stored if e.tenant_id in known]
        erased = await erasure.entries_for(conn, [(s.tenant_id, s.rep_id) for s in snapshots]
                                           + [(b.tenant_id, b.rep_id) for b in ledger]
                                           + [(e.tenant_id, e.rep_id) for e in stored])
        dropped = 0
        if erased:
            before = len(snapshots) + len(ledger) + len(stored)
            snapshots = [s for s in snapshots if not erasure.suppressed(erased.get((s.tenant_id, s.rep_id)), s.as_of)]
            ledger = [b for b in ledger if not erasure.suppressed(erased.get((b.tenant_id, b.rep_id)), b.scored_at)]
            # the instant the scorer produced the record (a record from before that field: its event time)
            stored = [e for e in stored
                      if not erasure.suppressed(erased.get((e.tenant_id, e.rep_id)), e.produced_at or e.time)]
            dropped = before - len(snapshots) - len(ledger) - len(stored)
            SINK_RECORDS.labels("erased").inc(dropped)
        poison += [(r, f"unknown tenant {s.tenant_id}") for r, s in decoded.snapshots if s.tenant_id not in known]
        poison += [(r, f"unknown tenant {b.tenant_id}") for r, b in decoded.ledger if b.tenant_id not in known]
        poison += [(r, f"unknown tenant {e.tenant_id}") for r, e in decoded.stored if e.tenant_id not in known]
        SINK_ROWS.labels("rep_scores").inc(await repository.upsert_current(conn, newest_per_rep(snapshots)))
        SINK_ROWS.labels("rep_score_daily").inc(await repository.upsert_daily(conn, newest_per_rep_day(snapshots)))
        SINK_ROWS.labels("scored_events").inc(await repository.insert_ledger(conn, ledger))
        outcomes, mentions = await outcome_repository.insert_stored(conn, stored)
        SINK_ROWS.labels("crm_outcomes").inc(outcomes)
        SINK_ROWS.labels("brand_mentions").inc(mentions)
    if trail.isEnabledFor(logging.DEBUG):
        written = {id(b) for b in ledger}
        for record, batch in ledger_records:
            if id(batch) not in written:
                continue
            for row, request_id in zip(batch.rows, ledger_request_ids(record, len(batch.rows)), strict=True):
                trail.debug("written", extra={"tenant": batch.tenant_id, "rep": batch.rep_id, "event_id": row.id,
                                              "request_id": request_id})
    for record, reason in poison:
        await send_dead_letter(producer, record, reason)
    SINK_RECORDS.labels("written").inc(len(records) - len(poison) - dropped)
    SINK_RECORDS.labels("dead_letter").inc(len(poison))
    SINK_BATCH_SECONDS.observe(time.perf_counter() - started)


async def refresh_forever(settings: SinkSettings, engine, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    """Keep stored totals decaying for reps without new events, so that ranks compare like with like."""
    model = settings.scoring_model()
    while not stop.is_set():
        started, after, updated = time.perf_counter(), repository.FIRST_REP_KEY, 0
        try:
            while after is not None:
                async with engine.begin() as conn:
                    count, after = await repository.refresh_decay(conn, model, datetime.now(UTC), after, 1000)
                updated += count
            REFRESH_SECONDS.observe(time.perf_counter() - started)
            log.debug("refreshed %d scores", updated)
        except Exception as exc:  # noqa: BLE001 - transient: tried again at the next interval
            log.warning("decay refresh failed (%s: %s)", type(exc).__name__, exc)
        await pause(stop, settings.refresh_seconds)


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds`` between two passes of a background task, or less if the sink is stopping."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


async def maintain_read_models(settings: SinkSettings, engine, model, now: datetime, *, trends: bool) -> None:  # type: ignore[no-untyped-def]
    """One pass over the api's read models (services/scorer/sink/read_models.py), in two transactions."""
    async with engine.begin() as conn:
        await read_models.refresh_standings(conn, now, trends=trends, model_version=model.version)
        await read_models.refresh_teams(conn, now, model_version=model.version)
    async with engine.begin() as conn:
        EXPLANATIONS.inc(await read_models.refresh_explanations(
            conn, model, now, limit=settings.explanations_per_pass,
            max_age=timedelta(seconds=settings.explanation_max_age_seconds)))


async def maintain_read_models_forever(settings: SinkSettings, engine, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    """Keep the read models up to date: a pass every ``read_model_seconds``, trends every ``trend_seconds``."""
    model, last_trends = settings.scoring_model(), None
    while not stop.is_set():
        started = time.perf_counter()
        trends = last_trends is None or started - last_trends >= settings.trend_seconds
        try:
            now = datetime.now(UTC)
            await maintain_read_models(settings, engine, model, now, trends=trends)
            if trends:
                last_trends = started
            READ_MODEL_SECONDS.observe(time.perf_counter() - started)
            READ_MODEL_PASSED.set(now.timestamp())
        except Exception as exc:  # noqa: BLE001 - transient: tried again at the next pass
            log.warning("read model pass failed (%s: %s)", type(exc).__name__, exc)
        await pause(stop, settings.read_model_seconds)


async def _delete_in_batches(engine, delete, cutoff, batch: int, counter) -> int:  # type: ignore[no-untyped-def]
    """Run ``delete(conn, cutoff, batch)`` one transaction at a time until it deletes fewer than ``batch`` rows,
    so no statement holds many locks or a long transaction; returns how many went."""
    deleted = 0
    while True:
        async with engine.begin() as conn:
            count = await delete(conn, cutoff, batch)
        deleted += count
        counter.inc(count)
        if count < batch:
            return deleted
        await asyncio.sleep(0)  # let the write path run between batches


async def expire_ledger(settings: SinkSettings, engine, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Delete the ledger rows older than the retention, ``ledger_expiry_batch`` rows per transaction."""
    cutoff = now - timedelta(days=settings.ledger_retention_days)
    return await _delete_in_batches(engine, repository.delete_expired_ledger, cutoff, settings.ledger_expiry_batch,
                                    LEDGER_EXPIRED)


async def expire_history(settings: SinkSettings, engine, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """The daily history's growth bound: rows of days older than the retention, in batches as the ledger's."""
    cutoff = (now - timedelta(days=settings.history_retention_days)).date()
    return await _delete_in_batches(engine, repository.delete_expired_history, cutoff, settings.ledger_expiry_batch,
                                    HISTORY_EXPIRED)


async def expire_others(settings: SinkSettings, engine, now: datetime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The growth bound of the tables that grow with time besides the ledger and the daily history: CRM
    outcomes, brand mentions (by event time), teams' daily points (by day), the walk log and the read-model
    writes log, each in batches
    as the ledger's; returns the rows deleted per table."""
    plan = (
        ("crm_outcomes", repository.delete_expired_outcomes, now - timedelta(days=settings.outcomes_retention_days)),
        ("brand_mentions", repository.delete_expired_mentions, now - timedelta(days=settings.mentions_retention_days)),
        ("team_daily", repository.delete_expired_team_history,
         (now - timedelta(days=settings.team_history_retention_days)).date()),
        ("rep_score_changes", repository.delete_expired_walk_log, now - timedelta(seconds=settings.walk_log_seconds)),
        ("read_model_writes", repository.delete_expired_writes_log,
         now - timedelta(seconds=settings.walk_log_seconds)),
    )
    return {table: await _delete_in_batches(engine, delete, cutoff, settings.ledger_expiry_batch,
                                            ROWS_EXPIRED.labels(table))
            for table, delete, cutoff in plan}


async def expire_ledger_forever(settings: SinkSettings, engine, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    """The ledger's growth bound, off the write path: at start, then every ``ledger_expiry_seconds``; the other
    tables' at the same time (expire_others)."""
    while not stop.is_set():
        try:
            deleted = await expire_ledger(settings, engine, datetime.now(UTC))
            if deleted:
                log.info("deleted %d ledger rows older than %d days", deleted, settings.ledger_retention_days)
            deleted = await expire_history(settings, engine, datetime.now(UTC))
            if deleted:
                log.info("deleted %d daily history rows older than %d days", deleted, settings.history_retention_days)
            for table, count in (await expire_others(settings, engine, datetime.now(UTC))).items():
                if count:
                    log.info("deleted %d rows of %s older than their retention", count, table)
        except Exception as exc:  # noqa: BLE001 - transient: tried again at the next interval
            log.warning("ledger expiry failed (%s: %s)", type(exc).__name__, exc)
        await pause(stop, settings.ledger_expiry_seconds)


def main() -> None:
    settings = SinkSettings()
    logs.configure(settings.log_level)
    start_http_server(settings.port, addr=settings.host)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    try:
        asyncio.run(_main())
    except GaveUp as exc:
        log.error("%s; exiting to be restarted", exc)
        sys.exit(3)


if __name__ == "__main__":
    main()
