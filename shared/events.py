"""The event contract: CloudEvents 1.0 (structured JSON) as ingest accepts them, and the Kafka envelope.

The tenant never comes from the body: ingest wraps each accepted event in an ``ActivityEnvelope`` carrying
the tenant of the caller's credential.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import re

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

REP_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+:\-]{0,127}$"
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.\-]{0,63}$"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

MAX_FUTURE_SKEW = timedelta(minutes=5)
"""Events stamped further in the future than this are refused: a clock that far off is a bug, not news."""

RFC3339_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
"""An RFC 3339 date-time with its offset, as CloudEvents' Timestamp type requires (no unix numbers)."""
EXTENSION_NAME_PATTERN = r"^[a-z0-9]{1,20}$"
"""CloudEvents 1.0: attribute names are lower-case ASCII letters and digits, at most 20 characters."""
URI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$"
INT32 = (-(2**31), 2**31 - 1)

_RFC3339 = re.compile(RFC3339_PATTERN)
_EXTENSION_NAME = re.compile(EXTENSION_NAME_PATTERN)

RepId = Annotated[str, Field(pattern=REP_ID_PATTERN)]


class CloudEvent(BaseModel):
    """One activity, as a CloudEvents 1.0 structured-mode JSON object.

    Attributes are checked with their CloudEvents types: strings are strings (no number is turned into one),
    ``time`` is an RFC 3339 string with an offset, and extension attributes (allowed by the spec) have
    lower-case alphanumeric names of at most 20 characters and a string, boolean or 32-bit integer value
    (or null, which the JSON format reads as absent).
    """

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={
            "propertyNames": {"pattern": EXTENSION_NAME_PATTERN},
            "additionalProperties": {
                "description": "extension attribute",
                "anyOf": [
                    {"type": "string"},
                    {"type": "boolean"},
                    {"type": "integer", "minimum": INT32[0], "maximum": INT32[1]},
                    {"type": "null"},
                ],
            },
        },
    )

    specversion: Literal["1.0"]
    id: Annotated[str, Field(min_length=1, max_length=256)]
    source: Annotated[str, Field(pattern=SOURCE_PATTERN, description="platform or system, e.g. linkedin")]
    type: Annotated[str, Field(pattern=TYPE_PATTERN, max_length=128, description="activity verb, e.g. post.published")]
    subject: RepId
    time: Annotated[
        AwareDatetime,
        Field(description="when the activity happened: an RFC 3339 string with an offset, at most 5 minutes in the future",
              json_schema_extra={"pattern": RFC3339_PATTERN}),
    ]
    datacontenttype: Literal["application/json"] | None = None
    dataschema: Annotated[str, Field(max_length=2048, pattern=URI_PATTERN)] | None = None
    data: dict[str, Any] | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _rfc3339(cls, value: Any) -> Any:
        if isinstance(value, datetime):  # built in Python; JSON input is always checked as text
            return value
        if not isinstance(value, str):
            raise ValueError(f"time must be an RFC 3339 string such as 2026-11-25T09:00:00Z, not {type(value).__name__}")
        if not _RFC3339.match(value):
            raise ValueError("time must be an RFC 3339 date-time with an offset, such as 2026-11-25T09:00:00Z")
        return value

    @model_validator(mode="after")
    def _extensions(self) -> CloudEvent:
        for name, value in (self.__pydantic_extra__ or {}).items():
            if not _EXTENSION_NAME.match(name):
                raise ValueError(f"extension attribute {name[:40]!r}: names are 1-20 lower-case letters or digits")
            if value is None or isinstance(value, bool | str):  # JSON null: the attribute is absent
                continue
            if isinstance(value, int) and INT32[0] <= value <= INT32[1]:
                continue
            raise ValueError(f"extension attribute {name!r} must be a string, a boolean or a 32-bit integer")
        return self


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
