"""The event contract: CloudEvents 1.0 (structured JSON) as ingest accepts them, and the Kafka envelope.

The tenant never comes from the body: ingest wraps each accepted event in an ``ActivityEnvelope`` carrying
the tenant of the caller's credential.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
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
CE_STRING_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""CloudEvents 1.0's String type: no control characters (U+0000-U+001F, U+007F-U+009F)."""
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
    id: Annotated[str, Field(min_length=1, max_length=256, pattern=CE_STRING_PATTERN)]
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


# --- Stored, not scored: CRM outcomes (validation against quota) and brand mentions (share of voice) -------------

OUTCOME_TYPES = ("opportunity.created", "deal.won", "deal.lost", "quota.set")
"""CRM outcomes: stored for validation (score against quota attainment), never scored as activity."""
MENTION_RECEIVED = "mention.received"
"""A public mention of a brand (the tenant's own or a declared competitor): stored for share of voice."""
STORED_TYPES = frozenset((*OUTCOME_TYPES, MENTION_RECEIVED))
SENTIMENTS = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
MAX_AMOUNT = 1e15
"""Amounts above this (a quadrillion) are refused as a unit mistake, not a deal."""


class StoredDataError(ValueError):
    """An outcome or mention whose ``data`` cannot be stored; ``pointer`` names the field (``/data/amount``)."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(f"{pointer}: {detail}")
        self.pointer = pointer
        self.detail = detail


def parse_period(text: str) -> tuple[date, date]:
    """An ISO 8601 interval of dates, ``2026-10-01/2026-12-31`` (both days included); raises ValueError."""
    if not isinstance(text, str) or text.count("/") != 1:
        raise ValueError("a period is an ISO 8601 interval of dates, FROM/TO, such as 2026-10-01/2026-12-31")
    first, _, last = text.partition("/")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not FROM/TO with two dates YYYY-MM-DD") from None
    if len(first) != 10 or len(last) != 10:
        raise ValueError(f"{text[:60]!r}: both ends are dates written YYYY-MM-DD")
    if end < start:
        raise ValueError(f"the period {text[:60]!r} ends before it starts")
    return start, end


def _number(data: dict[str, Any], name: str, *, required: bool, positive: bool = False) -> float | None:
    value = data.get(name)
    if value is None:
        if required:
            raise StoredDataError(f"/data/{name}", "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StoredDataError(f"/data/{name}", "must be a finite number")
    if value < 0 or (positive and value == 0) or value > MAX_AMOUNT:
        raise StoredDataError(f"/data/{name}", f"must be {'above' if positive else 'at least'} 0 and at most 1e15")
    return float(value)


def stored_data(event_type: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """The checked fields of an outcome or mention, as stored; raises ``StoredDataError`` naming the field.

    - ``deal.won``: ``amount`` (required, >= 0); ``deal.lost``, ``opportunity.created``: ``amount`` optional;
      all three take an optional ``currency`` (stored, not converted).
    - ``quota.set``: ``amount`` (> 0) and ``period`` (ISO 8601 interval of dates), both required.
    - ``mention.received``: ``brand`` (non-empty text), ``reach`` (>= 0), optional ``sentiment``: a number in
      [-1, 1] or ``negative``/``neutral``/``positive``.
    """
    data = data or {}
    out: dict[str, Any] = {}
    if event_type == MENTION_RECEIVED:
        brand = data.get("brand")
        if not isinstance(brand, str) or not brand.strip() or len(brand) > 200:
            raise StoredDataError("/data/brand", "is required: the brand mentioned, 1-200 characters")
        out["brand"] = brand.strip()
        out["reach"] = _number(data, "reach", required=True)
        sentiment = data.get("sentiment")
        if isinstance(sentiment, str) and sentiment.lower() in SENTIMENTS:
            sentiment = SENTIMENTS[sentiment.lower()]
        if sentiment is not None and (isinstance(sentiment, bool) or not isinstance(sentiment, int | float)
                                      or not -1 <= sentiment <= 1):
            raise StoredDataError("/data/sentiment", "must be a number in [-1, 1] or negative, neutral, positive")
        out["sentiment"] = None if sentiment is None else float(sentiment)
        return out
    if event_type not in OUTCOME_TYPES:
        raise StoredDataError("/type", f"{event_type[:60]!r} is neither a CRM outcome nor a mention")
    if event_type == "quota.set":
        out["amount"] = _number(data, "amount", required=True, positive=True)
        period = data.get("period")
        if period is None:
            raise StoredDataError("/data/period", "is required: an ISO 8601 interval of dates, FROM/TO")
        try:
            out["period_start"], out["period_end"] = parse_period(period)
        except ValueError as exc:
            raise StoredDataError("/data/period", str(exc)) from None
    else:
        out["amount"] = _number(data, "amount", required=event_type == "deal.won")
    currency = data.get("currency")
    if currency is not None and (not isinstance(currency, str) or not 1 <= len(currency) <= 8):
        raise StoredDataError("/data/currency", "must be a currency code of 1-8 characters (ISO 4217: EUR)")
    out["currency"] = currency
    return out
