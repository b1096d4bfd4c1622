"""The scorer's composition root: a Faust app with its topics, tables, agents and operational views."""

from __future__ import annotations

import asyncio
import logging

import faust
from aiokafka.admin import AIOKafkaAdminClient

from services.scorer import batch_consumer, changelogs
from services.scorer.config import ScorerSettings
from shared import logs, topics
from shared.kafka_security import PLAINTEXT, KafkaSecurity

log = logging.getLogger("ssi.scorer")

STATE_FORMAT = "s3"
"""Part of the group and table names: a change of the state's encoding starts new tables, rebuilt by replaying
the activity topic from its start, instead of reading records it cannot decode."""


async def _partition_count(bootstrap: str, topic: str, security: KafkaSecurity = PLAINTEXT) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **security.client_kwargs())
    await admin.start()
    try:
        if topic not in set(await admin.list_topics()):
            return None
        described = await admin.describe_topics([topic])
        return len(described[0]["partitions"]) or None
    finally:
        await admin.close()


def partition_count(settings: ScorerSettings) -> int:
    """The activity topic's partition count as the broker has it (fixed at creation, see shared.topics)."""
    found = asyncio.run(_partition_count(settings.kafka_bootstrap, topics.ACTIVITY, settings.kafka_security()))
    if found is None:
        log.warning("%s does not exist yet; creating tables for %d partitions", topics.ACTIVITY, settings.partitions)
        return settings.partitions
    return found


def create_app(settings: ScorerSettings, partitions: int | None = None) -> faust.App:
    from services.scorer import agents, identities, views  # registered on the app they are given

    model = settings.scoring_model()  # validated at start-up: a bad model file stops the worker here
    partitions = partitions or partition_count(settings)
    app = faust.App(
        # one consumer group and one set of tables per model version and state format: a new model rebuilds
        # its state by replaying the activity topic from the start, beside the old one
        f"{settings.app_id}-{model.version}-{STATE_FORMAT}",
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=settings.kafka_security().faust_credentials(),
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=partitions,
        topic_replication_factor=settings.kafka_replication_factor,  # its changelogs and internal topics
        processing_guarantee="at_least_once",  # exactly once in effect comes from idempotent state updates
        producer_acks=-1,
        producer_linger_ms=settings.producer_linger_ms,
        producer_max_batch_size=settings.producer_max_batch_size,
        # the fetch is the batch (services.scorer.batch_consumer): enough records per fetch that a busy rep's
        # state is written once for many events
        broker_max_poll_records=settings.max_poll_records,
        consumer_max_fetch_size=4 * 1024 * 1024,
        # the other agents (webhook normalisation, identities) still use Faust streams; their buffer can stay
        # moderate, since the activity topic does not go through it
        stream_buffer_maxsize=4096,
        table_standby_replicas=settings.standby_replicas,
        # the worker's web server serves /metrics, /healthz and /readyz only (views.py), bound to settings.host
        web_bind=settings.host,
        web_port=settings.port,
        web_host=settings.host,
        # Faust's own pages would serve table contents (/table/...) and routing details without any
        # authentication: all off
        web_tables_enabled=False,
        web_router_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        autodiscover=False,
        broker_commit_every=10_000,
        broker_commit_interval=settings.commit_interval_seconds,
        table_cleanup_interval=30.0,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=max(1.0, settings.session_timeout_seconds / 5),
        # JSON lines (shared.logs): the project's loggers at SSI_LOG_LEVEL, Faust and its clients at warnings
        logging_config=logs.dict_config(settings.log_level, root_level="WARNING"),
    )
    batch_consumer.install(app)
    # Faust's producer buffer (records handed to the client in the background) keeps its default ebb mark of
    # 100: each batch waits until the previous batch's writes were handed over before it starts, which bounds
    # the memory a burst can take; measured at 20k events/s per worker (README, Performance), it is not the
    # limit. The stream buffer above only matters for the webhook agents.

    @app.task
    async def quiet_client_logs() -> None:
        """aiokafka and faust.topics build a debug record for every message sent when they inherit a debug level
        (14 % of the worker's time in a profile); the client libraries log warnings and above only."""
        logs.reclaim_root_logger("WARNING")  # the project's loggers keep SSI_LOG_LEVEL, the trail its DEBUG
        level = logging.getLogger("aiokafka").getEffectiveLevel()
        for name in ("aiokafka", "kafka", "faust.topics"):
            logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
        log.info("aiokafka log level was %s", logging.getLevelName(level))

    pipeline = agents.register(app, settings, model, partitions)
    identities.register(app, settings, pipeline, partitions)
    views.register(app, pipeline)
    # the tables' changelog topics exist before Faust's consumer asks for them (services.scorer.changelogs)
    asyncio.run(changelogs.ensure_changelogs(settings.kafka_bootstrap, changelogs.changelog_topics(app),
                                             settings.kafka_security()))
    return app
