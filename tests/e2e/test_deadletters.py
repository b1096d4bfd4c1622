"""`ssi deadletter list` shows what failed and why; `ssi deadletter replay` re-sends it once the cause is
fixed, and the pipeline scores it then."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from shared import topics
from shared.deadletter import dead_letter_record
from shared.events import ActivityEnvelope, CloudEvent
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


async def test_list_and_replay_after_a_fix(stack, api, tenant) -> None:  # type: ignore[no-untyped-def]
    envelope = ActivityEnvelope(
        tenant_id=tenant["tenant_id"], received_at=datetime.now(UTC),
        event=CloudEvent.model_validate(cloud_event("replayed-rep", "meeting.booked", source="hubspot")),
    )
    key = topics.rep_key(tenant["tenant_id"], "replayed-rep").encode()
    letter = dead_letter_record(reason="downstream outage (test)", stage="scorer", topic=topics.ACTIVITY,
                                partition=0, offset=12345, key=key, value=envelope.to_bytes())
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topics.DEAD_LETTER, key=key, value=letter)
    finally:
        await producer.stop()
    assert (await api.get("/v1/reps/replayed-rep/score", headers=bearer(tenant["api_key"]))).status_code == 404

    listed = [json.loads(line) for line in stack.cli("deadletter", "list", "--tenant", tenant["tenant_id"]).splitlines()]
    assert [(d["reason"], d["origin"]) for d in listed] == [("downstream outage (test)", f"{topics.ACTIVITY}[0]@12345")]
    assert "value_b64" not in listed[0]

    assert json.loads(stack.cli("deadletter", "replay", "--tenant", tenant["tenant_id"])) == {"replayed": 1}
    score = await wait_for_score(api, tenant["api_key"], "replayed-rep", 1)
    assert score["pillars"]["relationships"] > 0
    assert json.loads(stack.cli("deadletter", "replay", "--tenant", tenant["tenant_id"])) == {"replayed": 0}
