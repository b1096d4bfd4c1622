"""Dead-letter records: what could not be processed, why, and where it came from (topic[partition]@offset)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson


def coordinates(topic: str, partition: int, offset: int) -> str:
    return f"{topic}[{partition}]@{offset}"


REQUEST_IDS_HEADER = "request_ids"
"""The Kafka header of a ledger record: a JSON list, the request id of each of its rows in order (or null)."""


def dead_letter_record(
    *, reason: str, stage: str, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
    request_id: str | None = None,
) -> bytes:
    """The JSON value written to the dead-letter topic; the original bytes are kept so they can be replayed.
    ``request_id``: the ingest request that brought the record (several, comma-separated, for a sink record
    that gathers events of several requests), to follow it back to its sender."""
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
            "request_id": request_id,
            "failed_at": datetime.now(UTC).isoformat(),
        }
    )
