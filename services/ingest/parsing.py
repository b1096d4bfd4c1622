"""Turn a request body into validated CloudEvents, or a Problem naming what is wrong. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import orjson
from pydantic import ValidationError

from shared.events import (
    STORED_TYPES,
    CloudEvent,
    EventTimeError,
    StoredDataError,
    check_event_time,
    describe_validation_error,
    stored_data,
)
from shared.http.problems import Problem

SINGLE = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
PLAIN = "application/json"


class ParsedEvent(NamedTuple):
    """A valid event: the model, and the JSON object it was validated from (what goes on Kafka as is)."""

    event: CloudEvent
    doc: dict[str, Any]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_events(body: bytes, content_type: str | None, *, now: datetime, max_batch: int) -> list[ParsedEvent]:
    kind = media_type(content_type)
    if kind not in (SINGLE, BATCH, PLAIN):
        raise Problem(
            415,
            "Unsupported media type",
            f"send {SINGLE} (one event) or {BATCH} (a JSON array of events), not {kind or 'no Content-Type'}",
        )
    try:
        doc: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from None
    if kind == BATCH or (kind == PLAIN and isinstance(doc, list)):
        if not isinstance(doc, list):
            raise Problem(400, "Invalid batch", f"{BATCH} must be a JSON array of CloudEvents")
        if not doc:
            raise Problem(400, "Invalid batch", "the batch is empty")
        if len(doc) > max_batch:
            raise Problem(413, "Batch too large", f"at most {max_batch} events per request, got {len(doc)}")
        items, pointer = doc, "/{i}"
    else:
        if not isinstance(doc, dict):
            raise Problem(400, "Invalid event", f"{SINGLE} must be one JSON object")
        items, pointer = [doc], ""

    events, errors = [], []
    for i, item in enumerate(items):
        prefix = pointer.format(i=i)
        try:
            event = CloudEvent.model_validate(item)
            check_event_time(event, now)
        except ValidationError as exc:
            errors.extend(describe_validation_error(exc, prefix))
            continue
        except EventTimeError as exc:
            errors.append({"pointer": f"{prefix}/time", "detail": str(exc)})
            continue
        if event.type in STORED_TYPES:  # CRM outcomes and mentions: their data is checked here, not only later
            try:
                stored_data(event.type, event.data)
            except StoredDataError as exc:
                errors.append({"pointer": f"{prefix}{exc.pointer}", "detail": exc.detail})
                continue
        events.append(ParsedEvent(event, item))
    if errors:
        raise Problem(
            400,
            "Invalid event" if len(items) == 1 else "Invalid events in batch",
            f"{len(items) - len(events)} of {len(items)} events are invalid; nothing was accepted",
            errors=errors[:100],
        )
    return events
