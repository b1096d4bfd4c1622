"""Poison records on any topic the scorer reads go to the dead-letter topic; the stream keeps flowing."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaProducer

from services.api.deadletters import list_dead_letters
from shared import topics
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


async def test_garbage_on_every_input_topic_is_dead_lettered_and_scoring_goes_on(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    marker = uuid.uuid4().hex
    key = f"{tenant['tenant_id']}|poison-{marker}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for topic in (topics.ACTIVITY, topics.WEBHOOKS_RAW, topics.NORMALIZED, topics.IDENTITIES):
            await producer.send_and_wait(topic, key=key, value=b"\xff not json " + marker.encode())
    finally:
        await producer.stop()
    response = await ingest.post("/v1/events", json=[cloud_event("after-poison")], headers=bearer(tenant["api_key"]))
    assert response.status_code == 202
    await wait_for_score(api, tenant["api_key"], "after-poison", 1)

    letters = []
    for _ in range(30):
        letters = await list_dead_letters(stack.kafka_bootstrap, tenant["tenant_id"], None, 100)
        if len({d["topic"] for d in letters}) == 4:
            break
    assert {d["topic"] for d in letters} == {topics.ACTIVITY, topics.WEBHOOKS_RAW, topics.NORMALIZED, topics.IDENTITIES}
    assert all(d["reason"].startswith("undecodable") and d["stage"] == "scorer" for d in letters)
