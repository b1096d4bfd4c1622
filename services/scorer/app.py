"""The scorer's composition root: a Faust app with its topics, tables, agent and operational views."""

from __future__ import annotations

import faust

from services.scorer.config import ScorerSettings

def create_app(settings: ScorerSettings) -> faust.App:
    from services.scorer import agents, identities, views  # registered on the app they are given

    model = settings.scoring_model()  # validated at start-up: a bad model file stops the worker here
    app = faust.App(
        # one consumer group and one set of tables per model version: a new model rebuilds its state by
        # replaying the activity topic from the start, beside the old one
        f"{settings.app_id}-{model.version}",
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        processing_guarantee="at_least_once",
        producer_acks=-1,
        producer_linger_ms=settings.producer_linger_ms,
        web_bind=settings.host,
        web_port=settings.port,
        web_host=settings.host,
        autodiscover=False,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        table_cleanup_interval=30.0,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=max(1.0, settings.session_timeout_seconds / 5),
    )
    pipeline = agents.register(app, settings, model)
    identities.register(app, settings, pipeline)
    views.register(app, pipeline)
    return app
