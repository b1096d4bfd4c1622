"""Create the product's topics with the intended partition count (idempotent). Opens a connection only when called."""

from __future__ import annotations

import math

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared import topics
from shared.kafka_security import PLAINTEXT, KafkaSecurity
from shared.scoring import load_packaged_model
from shared.scoring.model import PACKAGED_VERSIONS
from shared.scoring.state import idle_after_seconds


def activity_retention_days() -> int:
    """The history a rebuild needs: a new model version's scorer replays the activity topic from its start, so
    the topic keeps the horizon of every packaged model (12 half-lives of its slowest decay: 336 days for
    ssi-v2 and ssi-v3; anything older weighs under 0.03 %)."""
    return max(math.ceil(idle_after_seconds(load_packaged_model(f"{v}.toml")) / 86_400) for v in PACKAGED_VERSIONS)


async def ensure_topics(
    bootstrap: str, partitions: int = topics.DEFAULT_PARTITIONS, security: KafkaSecurity = PLAINTEXT,
    replication_factor: int = 1,
) -> list[str]:
    """Create missing topics (``replication_factor`` copies each); returns the names created."""
    wanted = {
        topics.ACTIVITY: {"retention.ms": str(activity_retention_days() * 86_400_000)},
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
            NewTopic(name, num_partitions=partitions, replication_factor=replication_factor, topic_configs=config)
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
