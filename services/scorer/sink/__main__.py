"""python -m services.scorer.sink: consume score snapshots and write them to Postgres in batches.

Error policy: an undecodable record or one for an unknown tenant goes to the dead-letter topic; a database or
Kafka error is transient: the batch is retried with backoff and offsets are committed only after the
Postgres transaction committed, so the sink can fall behind and catch up without loss.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import start_http_server
import orjson
from pydantic import ValidationError

from services.scorer.config import ScorerSettings
from services.scorer.metrics import REFRESH_SECONDS, SINK_BATCH_SECONDS, SINK_LAG, SINK_RECORDS, SINK_ROWS
from services.scorer.sink import repository
from services.scorer.sink.batching import newest_per_rep, newest_per_rep_day
from shared import topics
from shared.db.engine import make_engine
from shared.deadletter import dead_letter_record
from shared.scores import ScoreSnapshot

log = logging.getLogger("ssi.sink")


async def run(settings: ScorerSettings, stop: asyncio.Event) -> None:
    engine = make_engine(settings.database_url, application_name="ssi-sink", pool_size=2)
    consumer = AIOKafkaConsumer(
        topics.SCORES,
        topics.IDENTITY_STATUS,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.sink_group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=settings.sink_batch_max,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    log.info("sink consuming %s as group %s", topics.SCORES, settings.sink_group)
    refresher = asyncio.create_task(refresh_forever(settings, engine, stop))
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=settings.sink_batch_wait_ms, max_records=settings.sink_batch_max)
            records = [r for part in batch.values() for r in part]
            if not records:
                continue
            await write_with_retry(settings, engine, producer, records, stop)
            await consumer.commit()
            for tp in consumer.assignment():
                highwater = consumer.highwater(tp)
                position = await consumer.position(tp)
                if highwater is not None:
                    SINK_LAG.labels(str(tp.partition)).set(max(0, highwater - position))
    finally:
        refresher.cancel()
        await consumer.stop()
        await producer.stop()
        await engine.dispose()


async def write_with_retry(settings, engine, producer, records, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    delay = 0.5
    while True:
        try:
            await write_batch(engine, producer, records)
            return
        except Exception as exc:  # noqa: BLE001 - transient by policy: retried, offsets not committed
            if stop.is_set():
                raise
            log.warning("sink batch of %d failed (%s: %s); retrying in %.1fs", len(records), type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def write_batch(engine, producer: AIOKafkaProducer, records) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    decoded, poison, statuses = [], [], {}
    for record in records:
        if record.topic == topics.IDENTITY_STATUS:
            try:
                status = orjson.loads(record.value)
                statuses[(status["tenant_id"], status["platform"], status["identity"])] = status  # last wins
            except (ValueError, KeyError, TypeError) as exc:
                poison.append((record, f"undecodable identity status: {str(exc)[:300]}"))
            continue
        try:
            decoded.append((record, ScoreSnapshot.model_validate_json(record.value)))
        except (ValidationError, ValueError) as exc:
            poison.append((record, f"undecodable score record: {str(exc)[:300]}"))
    async with engine.begin() as conn:
        known = await repository.existing_tenants(
            conn, [s.tenant_id for _, s in decoded] + [key[0] for key in statuses]
        )
        SINK_ROWS.labels("unclaimed_identities").inc(
            await repository.apply_identity_status(conn, [v for k, v in statuses.items() if k[0] in known])
        )
        valid = [s for _, s in decoded if s.tenant_id in known]
        poison += [(r, f"unknown tenant {s.tenant_id}") for r, s in decoded if s.tenant_id not in known]
        SINK_ROWS.labels("rep_scores").inc(await repository.upsert_current(conn, newest_per_rep(valid)))
        SINK_ROWS.labels("rep_score_daily").inc(await repository.upsert_daily(conn, newest_per_rep_day(valid)))
        SINK_ROWS.labels("scored_events").inc(await repository.insert_scored_events(conn, valid))
    for record, reason in poison:
        log.warning("dead letter %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
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
            ),
        )
    SINK_RECORDS.labels("written").inc(len(valid))
    SINK_RECORDS.labels("dead_letter").inc(len(poison))
    SINK_BATCH_SECONDS.observe(time.perf_counter() - started)


async def refresh_forever(settings: ScorerSettings, engine, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    """Keep stored totals decaying for reps without new events, so that ranks compare like with like."""
    model = settings.scoring_model()
    while not stop.is_set():
        started, after, updated = time.perf_counter(), ("", ""), 0
        try:
            while after is not None:
                async with engine.begin() as conn:
                    count, after = await repository.refresh_decay(conn, model, datetime.now(UTC), after, 1000)
                updated += count
            REFRESH_SECONDS.observe(time.perf_counter() - started)
            log.debug("refreshed %d scores", updated)
        except Exception as exc:  # noqa: BLE001 - transient: tried again at the next interval
            log.warning("decay refresh failed (%s: %s)", type(exc).__name__, exc)
        try:
            await asyncio.wait_for(stop.wait(), settings.sink_refresh_seconds)
        except asyncio.TimeoutError:
            pass


def main() -> None:
    settings = ScorerSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    start_http_server(settings.sink_port, addr=settings.host)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
