"""The event contract: CloudEvents 1.0 (structured JSON) as ingest accepts them, and the Kafka envelope.

The tenant never comes from the body: ingest wraps each accepted event in an ``ActivityEnvelope`` carrying
the tenant of the caller's credential.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

REP_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+:\-]{0,127}$"
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.\-]{0,63}$"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

MAX_FUTURE_SKEW = timedelta(minutes=5)
"""Events stamped further in the future than this are refused: a clock that far off is a bug, not news."""

RepId = Annotated[str, Field(pattern=REP_ID_PATTERN)]


class CloudEvent(BaseModel):
    """One activity, as a CloudEvents 1.0 structured-mode JSON object."""

    model_config = ConfigDict(extra="allow", frozen=True)  # extension attributes are allowed by the spec

    specversion: Literal["1.0"]
    id: Annotated[str, Field(min_length=1, max_length=256)]
    source: Annotated[str, Field(pattern=SOURCE_PATTERN, description="platform or system, e.g. linkedin")]
    type: Annotated[str, Field(pattern=TYPE_PATTERN, max_length=128, description="activity verb, e.g. post.published")]
    subject: RepId
    time: AwareDatetime
    datacontenttype: Literal["application/json"] | None = None
    data: dict[str, Any] | None = None


class EventTimeError(ValueError):
    """The event's time cannot be scored (too far in the future)."""


def check_event_time(event: CloudEvent, now: datetime) -> None:
    if event.time - now > MAX_FUTURE_SKEW:
        raise EventTimeError(
            f"time {event.time.isoformat()} is more than {int(MAX_FUTURE_SKEW.total_seconds())} s in the future"
        )


class ActivityEnvelope(BaseModel):
    """What ingest puts on the activity topic: the event plus who sent it and when it arrived."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    received_at: AwareDatetime
    event: CloudEvent

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_bytes(cls, raw: bytes) -> ActivityEnvelope:
        return cls.model_validate_json(raw)


def describe_validation_error(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """Turn pydantic errors into problem+json ``errors`` entries naming the field (JSON pointer style)."""
    out = []
    for item in error.errors(include_url=False):
        loc = "/".join(str(part) for part in item["loc"])
        out.append({"pointer": f"{prefix}/{loc}" if loc else prefix or "/", "detail": item["msg"]})
    return out
