"""Create the product's topics with the intended partition count (idempotent). Opens a connection only when called."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared import topics
from shared.kafka_security import PLAINTEXT, KafkaSecurity


async def ensure_topics(
    bootstrap: str, partitions: int = topics.DEFAULT_PARTITIONS, security: KafkaSecurity = PLAINTEXT
) -> list[str]:
    """Create missing topics; returns the names created."""
    wanted = {
        topics.ACTIVITY: {"retention.ms": str(30 * 86_400_000)},
        topics.SCORES: {"retention.ms": str(7 * 86_400_000)},
        topics.LEDGER: {"retention.ms": str(7 * 86_400_000)},
        topics.OUTCOMES: {"retention.ms": str(7 * 86_400_000)},
        topics.DEAD_LETTER: {"retention.ms": str(90 * 86_400_000)},
        topics.WEBHOOKS_RAW: {"retention.ms": str(30 * 86_400_000)},
        topics.NORMALIZED: {"retention.ms": str(30 * 86_400_000)},
        topics.IDENTITIES: {"cleanup.policy": "compact"},
        topics.IDENTITY_STATUS: {"cleanup.policy": "compact"},
    }
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **security.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        if topics.ACTIVITY in existing:  # new topics follow the partition count the existing ones were made with
            described = await admin.describe_topics([topics.ACTIVITY])
            partitions = len(described[0]["partitions"]) or partitions
        new = [
            NewTopic(name, num_partitions=partitions, replication_factor=1, topic_configs=config)
            for name, config in wanted.items()
            if name not in existing
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in new]
    finally:
        await admin.close()
