"""The scorer creates its tables' changelog topics before Faust's consumer asks for them (services.scorer.changelogs):
on the real broker, with the partition count and compaction Faust declares, once."""

from __future__ import annotations

import uuid

import faust
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.scorer.changelogs import changelog_topics, ensure_changelogs


async def test_changelog_topics_are_created_compacted_with_the_tables_partitions_and_only_once(stack) -> None:  # type: ignore[no-untyped-def]
    app = faust.App(f"ssi-changelog-test-{uuid.uuid4().hex[:8]}", broker=f"kafka://{stack.kafka_bootstrap}",
                    store="memory://", topic_partitions=5, autodiscover=False)
    app.Table("claims", default=None, partitions=3)
    app.Table("states", default=None)
    wanted = changelog_topics(app)
    names = sorted(t.name for t in wanted)
    assert names == [f"{app.conf.id}-claims-changelog", f"{app.conf.id}-states-changelog"]

    assert sorted(await ensure_changelogs(stack.kafka_bootstrap, wanted)) == names
    assert await ensure_changelogs(stack.kafka_bootstrap, wanted) == []  # already there: nothing created

    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        described = {d["topic"]: d for d in await admin.describe_topics(names)}
        assert len(described[names[0]]["partitions"]) == 3
        assert len(described[names[1]]["partitions"]) == 5  # the app's default, as Faust declares it
        configs = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
        policies = {name: {entry[0]: entry[1] for entry in entries}["cleanup.policy"]
                    for response in configs for _code, _msg, _type, name, entries in response.resources}
        assert policies == {name: "compact" for name in names}
        await admin.delete_topics(names)
    finally:
        await admin.close()
