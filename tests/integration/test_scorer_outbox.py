"""The scorer's outbox (services.scorer.outbox) on the real broker: every record added arrives, in its partition, in
the order it was added, headers and tombstones included, also when a partition's records outgrow one batch; the
future completes only once the broker has them; a failed submission is reported once and refuses later sends."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.scorer.outbox import Outbox

PARTITIONS = 3


async def new_topic(bootstrap: str) -> str:
    name = f"ssi.test.outbox.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    finally:
        await admin.close()
    return name


async def read_all(bootstrap: str, topic: str, expected: int) -> dict[int, list]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        out: dict[int, list] = {p: [] for p in range(PARTITIONS)}
        got = 0
        async with asyncio.timeout(30):
            while got < expected:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    out[tp.partition].extend(records)
                    got += len(records)
        return out
    finally:
        await consumer.stop()


@pytest.fixture
async def producer(stack):  # type: ignore[no-untyped-def]
    # the scorer's producer settings that matter here: acks=all, idempotent, a small batch size to force splits
    client = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all", enable_idempotence=True,
                              linger_ms=10, max_batch_size=16384)
    await client.start()
    yield client
    await client.stop()


async def test_every_record_arrives_in_its_partition_in_the_order_added(stack, producer) -> None:  # type: ignore[no-untyped-def]
    topic = await new_topic(stack.kafka_bootstrap)
    failures: list[BaseException] = []
    outbox = Outbox(lambda: producer, failures.append)
    sent = {p: [] for p in range(PARTITIONS)}
    for i in range(600):  # about 1 KB each: partition 0's 400 records take about 25 of the 16 KiB batches
        partition = 0 if i % 3 else (i // 3) % PARTITIONS
        value = None if i % 97 == 5 else f"{i:05d}".encode() * 200
        headers = [("n", str(i).encode())] if i % 2 else None
        outbox.add(topic, partition, f"k{i % 7}".encode(), value, headers)
        sent[partition].append((f"k{i % 7}".encode(), value, [("n", str(i).encode())] if i % 2 else []))
    assert len(outbox) == 600
    written = await outbox.send()
    assert written is not None and len(outbox) == 0
    await asyncio.wait_for(written, 30)
    assert written.exception() is None and failures == []

    got = await read_all(stack.kafka_bootstrap, topic, 600)
    for partition, records in got.items():
        assert [(r.key, r.value, [(k, bytes(v)) for k, v in r.headers]) for r in records] == sent[partition]
    assert await outbox.send() is None  # nothing added since


async def test_a_failed_submission_is_reported_once_and_refuses_later_sends(stack, producer) -> None:  # type: ignore[no-untyped-def]
    topic = await new_topic(stack.kafka_bootstrap)
    failures: list[BaseException] = []
    outbox = Outbox(lambda: producer, failures.append)
    outbox.add(topic, 0, b"k", b"x" * 2_000_000)  # beyond the broker's record batch limit (1 MB): refused
    written = await outbox.send()
    assert written is not None
    with pytest.raises(Exception):  # noqa: B017 - the broker's refusal, whatever aiokafka names it
        await asyncio.wait_for(written, 30)
    await asyncio.sleep(0)
    assert len(failures) == 1 and outbox.failure is failures[0]
    outbox.add(topic, 0, b"k", b"small")
    with pytest.raises(type(failures[0])):
        await outbox.send()
