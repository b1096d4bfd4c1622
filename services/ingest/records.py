"""The Kafka records of accepted events: the envelope (shared.events.ActivityEnvelope) written directly.

The event goes into the envelope as the JSON object it was validated from, so no model is dumped again per
event (a third of the ingest's own CPU per event in a batch of 100); the scorer reads it with
``ActivityEnvelope.from_bytes`` exactly as before (tests/services/ingest/test_records.py). Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from services.ingest.parsing import ParsedEvent
from shared import topics
from shared.kafka_producer import Record


def activity_records(parsed: list[ParsedEvent], tenant_id: str, received_at: datetime) -> list[Record]:
    received = received_at.isoformat()
    return [
        (
            topics.ACTIVITY,
            topics.rep_key(tenant_id, p.event.subject).encode(),
            orjson.dumps({"tenant_id": tenant_id, "received_at": received, "event": p.doc}),
        )
        for p in parsed
    ]
