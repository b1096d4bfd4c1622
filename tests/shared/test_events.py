from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.events import ActivityEnvelope, CloudEvent, EventTimeError, check_event_time
from tests.factories import cloud_event


def test_a_valid_event_round_trips_through_the_envelope() -> None:
    event = CloudEvent.model_validate(cloud_event("rep-1", "comment.posted", reach=10))
    envelope = ActivityEnvelope(tenant_id="t", received_at=datetime.now(UTC), event=event)
    assert ActivityEnvelope.from_bytes(envelope.to_bytes()) == envelope


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("specversion", "0.3"),
        ("id", ""),
        ("source", "Not A Platform!"),
        ("type", "Post"),
        ("subject", "rep/with/slashes"),
        ("subject", ""),
        ("time", "yesterday"),
        ("time", "2026-01-01T00:00:00"),  # no offset: ambiguous instant
        ("time", 0),  # a number is not an RFC 3339 string (pydantic's lax mode read it as 1970)
        ("time", "1764061200"),
        ("time", "2026-01-01T00:00Z"),  # RFC 3339 has seconds
        ("id", 42),
        ("dataschema", 5),
        ("data", [1, 2]),
    ],
)
def test_invalid_fields_are_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        CloudEvent.model_validate({**cloud_event("rep-1"), field: value})
    assert field in {str(e["loc"][0]) for e in info.value.errors()}


@pytest.mark.parametrize("missing", ["specversion", "id", "source", "type", "subject", "time"])
def test_required_attributes(missing: str) -> None:
    event = cloud_event("rep-1")
    del event[missing]
    with pytest.raises(ValidationError):
        CloudEvent.model_validate(event)


def test_extension_attributes_are_kept() -> None:
    event = CloudEvent.model_validate({**cloud_event("rep-1"), "traceparent": "00-abc"})
    assert event.model_dump()["traceparent"] == "00-abc"


def test_events_far_in_the_future_are_refused_and_late_ones_are_not() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    late = CloudEvent.model_validate(cloud_event("r", time=now - timedelta(days=20)))
    soon = CloudEvent.model_validate(cloud_event("r", time=now + timedelta(minutes=4)))
    future = CloudEvent.model_validate(cloud_event("r", time=now + timedelta(minutes=6)))
    check_event_time(late, now)
    check_event_time(soon, now)
    with pytest.raises(EventTimeError, match="in the future"):
        check_event_time(future, now)


@pytest.mark.parametrize("extension", [{"Trace": "x"}, {"trace_id": "x"}, {"a" * 21: 1}, {"n": 2**31},
                                       {"o": {}}, {"l": []}, {"f": 0.5}])
def test_extension_attributes_have_cloudevents_names_and_types(extension: dict) -> None:
    with pytest.raises(ValidationError, match="extension attribute"):
        CloudEvent.model_validate({**cloud_event("rep-1"), **extension})


def test_extension_attributes_of_every_allowed_type() -> None:
    event = CloudEvent.model_validate({**cloud_event("rep-1"), "s": "x", "b": False, "i": -(2**31), "a" * 20: 2**31 - 1})
    assert event.model_dump()["b"] is False
