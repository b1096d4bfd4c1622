"""Dead-letter records: what could not be processed, why, and where it came from (topic[partition]@offset)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson


def coordinates(topic: str, partition: int, offset: int) -> str:
    return f"{topic}[{partition}]@{offset}"


def dead_letter_record(
    *, reason: str, stage: str, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None
) -> bytes:
    """The JSON value written to the dead-letter topic; the original bytes are kept so they can be replayed."""
    return orjson.dumps(
        {
            "reason": reason,
            "stage": stage,
            "origin": coordinates(topic, partition, offset),
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "key": key.decode("utf-8", "replace") if key is not None else None,
            "value_b64": base64.b64encode(value).decode() if value is not None else None,
            "failed_at": datetime.now(UTC).isoformat(),
        }
    )
