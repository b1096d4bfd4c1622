"""Operator tools over the dead-letter topic: list what failed and why, and replay it after a fix.

Replay re-sends each dead letter's original bytes to the topic it came from; the replay group's committed
offsets make every dead letter replayed at most once per filter, and the scorer's idempotency makes a replay
of something already scored harmless.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared import topics
from shared.kafka_security import PLAINTEXT, KafkaSecurity

REPLAY_GROUP = "ssi-deadletter-replay"


def _matches(letter: dict[str, Any], tenant: str | None, contains: str | None) -> bool:
    if tenant and not (letter.get("key") or "").startswith(tenant + topics.KEY_SEPARATOR):
        return False
    return not contains or contains in letter.get("reason", "")


async def _read(bootstrap: str, group: str | None, visit: Callable[[dict[str, Any]], Any], idle_ms: int = 1500,
                security: KafkaSecurity = PLAINTEXT) -> int:
    consumer = AIOKafkaConsumer(
        topics.DEAD_LETTER, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
        enable_auto_commit=False, **security.client_kwargs(),
    )
    await consumer.start()
    seen = 0
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=idle_ms, max_records=500)
            records = [r for part in batch.values() for r in part]
            if not records:
                return seen
            for record in records:
                await visit(orjson.loads(record.value))
                seen += 1
            if group:
                await consumer.commit()
    finally:
        await consumer.stop()


async def list_dead_letters(bootstrap: str, tenant: str | None, contains: str | None, limit: int,
                            security: KafkaSecurity = PLAINTEXT) -> list[dict]:
    found: list[dict] = []

    async def keep(letter: dict[str, Any]) -> None:
        if _matches(letter, tenant, contains) and len(found) < limit:
            found.append({k: v for k, v in letter.items() if k != "value_b64"})

    await _read(bootstrap, None, keep, security=security)
    return found


async def replay_dead_letters(bootstrap: str, tenant: str | None, contains: str | None,
                              security: KafkaSecurity = PLAINTEXT) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                **security.client_kwargs())
    await producer.start()
    replayed = 0

    async def resend(letter: dict[str, Any]) -> None:
        nonlocal replayed
        if not _matches(letter, tenant, contains) or letter.get("value_b64") is None:
            return
        key = letter["key"].encode() if letter.get("key") is not None else None
        await producer.send_and_wait(letter["topic"], value=base64.b64decode(letter["value_b64"]), key=key)
        replayed += 1

    try:
        # one replay group per filter: what a filtered replay skips stays replayable by another filter
        selector = hashlib.sha256(f"{tenant}|{contains}".encode()).hexdigest()[:12]
        await _read(bootstrap, f"{REPLAY_GROUP}-{selector}", resend, security=security)
    finally:
        await producer.stop()
    return replayed
