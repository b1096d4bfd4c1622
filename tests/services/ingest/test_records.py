"""The ingest writes the envelope directly; the scorer must read it exactly as the model describes it."""

from datetime import UTC, datetime

import orjson

from services.ingest.parsing import SINGLE, parse_events
from services.ingest.records import activity_records
from shared import topics
from shared.events import ActivityEnvelope, CloudEvent
from tests.factories import cloud_event


def test_records_decode_as_the_envelope_the_scorer_reads() -> None:
    now = datetime.now(UTC)
    doc = {**cloud_event("rep-9", "comment.posted", reach=12), "traceparent": "00-abc", "time": "2026-11-25T10:00:00+01:00"}
    parsed = parse_events(orjson.dumps(doc), SINGLE, now=now, max_batch=10)
    [(topic, key, value)] = activity_records(parsed, "tenant-1", now)
    assert topic == topics.ACTIVITY and key == topics.rep_key("tenant-1", "rep-9").encode()
    envelope = ActivityEnvelope.from_bytes(value)
    assert envelope.tenant_id == "tenant-1" and envelope.received_at == now
    assert envelope.event == CloudEvent.model_validate(doc)
    assert envelope.event.time == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert envelope.event.model_dump()["traceparent"] == "00-abc"
