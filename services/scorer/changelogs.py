"""The worker's changelog topics, created before Faust's consumer subscribes to them.

Faust creates a table's changelog topic itself, at start-up, while its consumer already subscribes to it. For an
app id the cluster has not seen yet (a fresh cluster, or a new model version: services.scorer.app) the consumer's
first metadata request came first and was told the changelogs do not exist (log: "Topic ...-changelog not found in
cluster metadata"), and aiokafka kept that answer until its periodic refresh, 5 minutes later
(``consumer_metadata_max_age_ms``). Meanwhile, in the faults test of a second worker joining and leaving
(tests/faults, 851 acknowledged events lost in one run):
- the group leader's assignor left every changelog out of the assignment ("Ignoring missing topic"), so the
  worker that took partitions over recovered no table for them and scored their reps from an empty state, and the
  first worker, given them back, went on from the state it held before, without what the other had applied;
- Faust's co-partitioning check read 0 partitions for the changelog and raised PartitionsMismatch at the first
  write to the identity claims and the parked events tables: the claim agent crashed before storing any claim,
  so HubSpot events of claimed identities were routed to parking, where the same crash dropped them.
A metadata request that names a missing topic also asks the broker to auto-create it (with its default partition
count and no compaction), racing Faust's own creation.

So the worker creates them first (same names, partition count, replication and cleanup policy as Faust's
declaration), and waits until the broker describes every partition with a leader; Faust then finds them existing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from mode.utils.times import want_seconds

from shared.kafka_security import PLAINTEXT, KafkaSecurity

log = logging.getLogger("ssi.scorer")


def changelog_topics(app: Any) -> list[NewTopic]:
    """The changelog topic of every table of ``app``, as Faust would declare it (faust.topics.Topic.declare)."""
    wanted = []
    for table in app.tables.values():
        topic = table.changelog_topic
        config: dict[str, str] = {}
        policy = [flag for flag, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on]
        if policy:
            config["cleanup.policy"] = ",".join(sorted(policy))
        if topic.retention:
            config["retention.ms"] = str(int(want_seconds(topic.retention) * 1000))
        config.update({k: str(v) for k, v in (topic.config or {}).items()})
        wanted.append(NewTopic(
            name=topic.get_topic_name(),
            num_partitions=topic.partitions or app.conf.topic_partitions,
            replication_factor=topic.replicas or app.conf.topic_replication_factor or 1,
            topic_configs=config,
        ))
    return wanted


def _complete(described: list[dict[str, Any]], wanted: dict[str, int]) -> bool:
    """Every wanted topic described without error, with its partitions, each with a leader."""
    found = {d["topic"]: d for d in described}
    for name, partitions in wanted.items():
        d = found.get(name)
        if d is None or d.get("error_code") or len(d.get("partitions") or []) != partitions:
            return False
        if any(p.get("leader", -1) < 0 for p in d["partitions"]):
            return False
    return True


async def ensure_changelogs(bootstrap: str, topics: list[NewTopic], security: KafkaSecurity = PLAINTEXT,
                            timeout: float = 60.0) -> list[str]:
    """Create the missing ones and wait until all are described with a leader per partition; returns the names
    created. Raises TimeoutError when the broker does not show them in ``timeout`` seconds."""
    if not topics:
        return []
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000, **security.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        created = []
        if missing:
            response = await admin.create_topics(missing)
            for name, code, *message in response.topic_errors:
                if code == 0:
                    created.append(name)
                elif code != TopicAlreadyExistsError.errno:  # another worker created it meanwhile: fine
                    raise for_code(code)(f"creating the changelog topic {name}: {message[0] if message else ''}")
        wanted = {t.name: t.num_partitions for t in topics}
        deadline = time.monotonic() + timeout
        while not _complete(await admin.describe_topics(list(wanted)), wanted):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the broker does not show the changelog topics {sorted(wanted)} complete "
                                   f"after {timeout:.0f}s")
            await asyncio.sleep(0.5)
        if created:
            log.info("created the changelog topics %s", ", ".join(created))
        return created
    finally:
        await admin.close()
