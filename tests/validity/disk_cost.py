"""What keeping the activity history costs on the broker's disk, per million events (`make validity-disk`).

Produces the events of a synthetic world, as ingest writes them (``ActivityEnvelope`` JSON keyed by rep, no
compression, the product's producer settings), into a fresh topic of the running test stack's broker, then
reads the topic's partition directories on disk (log segments and their indexes). Needs the test profile's
Kafka up (SSI_KEEP_STACK=1 after a test run, or `deploy/stack.py up --profile test`); deletes its topic after.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared import topics
from shared.events import ActivityEnvelope, CloudEvent
from shared.kafka_topics import activity_retention_days

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from stack import Stack  # noqa: E402

from tests.validity.world import build_world  # noqa: E402


def envelopes(n: int) -> list[tuple[bytes, bytes]]:
    tenant = str(uuid.uuid4())
    world = build_world(seed=11, size=60, days=84)
    out = []
    received = datetime.now(UTC)
    for rep in world.reps:
        for i, (kind, source, at, data) in enumerate(rep.events):
            event = CloudEvent.model_validate({
                "specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": kind,
                "subject": rep.rep_id, "time": datetime.fromtimestamp(at, UTC).isoformat(), "data": data,
            })
            env = ActivityEnvelope(tenant_id=tenant, received_at=received, event=event)
            out.append((topics.rep_key(tenant, rep.rep_id).encode(), env.to_bytes()))
            if len(out) >= n:
                return out
    return out


def topic_bytes(data_dir: Path, topic: str, suffix: str) -> int:
    """Bytes of the topic's files ending in ``suffix`` (".log": the record batches themselves; the active
    segment's ".index" and ".timeindex" are preallocated, 10 MB each, and trimmed when the segment rolls)."""
    return sum(f.stat().st_size for d in data_dir.glob(f"{topic}-*") for f in d.iterdir() if f.name.endswith(suffix))


async def main(n: int = 200_000) -> None:
    stack = Stack.for_profile("test")
    data_dir = stack.state_dir / "kafka-data"
    records = envelopes(n)
    topic = f"ssi.disk-cost.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=topics.DEFAULT_PARTITIONS, replication_factor=1)])
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all", compression_type=None,
                                max_batch_size=1024 * 1024, linger_ms=5)
    await producer.start()
    try:
        started = time.monotonic()
        for i in range(0, len(records), 5000):
            await asyncio.gather(*[await producer.send(topic, key=k, value=v) for k, v in records[i : i + 5000]])
        await producer.flush()
        await asyncio.sleep(2)
        on_disk = topic_bytes(data_dir, topic, ".log")
        values = sum(len(v) for _, v in records)
        days = activity_retention_days()
        print(f"{len(records):,} activity records ({values / len(records):.0f} bytes of JSON each on average): "
              f"{on_disk / 1e6:.1f} MB of log segments in {data_dir} ({time.monotonic() - started:.0f} s)")
        print(f"per million events: {on_disk / len(records):.0f} bytes each on disk, {on_disk / len(records):.0f} MB "
              f"per million (one replica, uncompressed, log segments only: the offset and time indexes are not counted); "
              f"the activity topic keeps {days} days")
    finally:
        await producer.stop()
        await admin.delete_topics([topic])
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main(int(os.environ.get("SSI_DISK_COST_EVENTS", "200000"))))
