"""The scorer's record of an event that is stored but not scored (a CRM outcome or a brand mention), on
``shared.topics.OUTCOMES``: defined once for the scorer (which writes it) and the sink (which reads it).

The scorer checks ``data`` with ``shared.events.stored_data`` and sends only the checked fields; the sink
validates the record again and upserts it by (tenant, source, event id), so replays and duplicates are harmless.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import MENTION_RECEIVED, STORED_TYPES


class StoredEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    rep_id: str = Field(min_length=1, description="the event's subject")
    source: str = Field(min_length=1)
    id: str = Field(min_length=1)
    type: str
    time: AwareDatetime
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    brand: str | None = None
    reach: float | None = Field(default=None, ge=0)
    sentiment: float | None = Field(default=None, ge=-1, le=1)

    @property
    def is_mention(self) -> bool:
        return self.type == MENTION_RECEIVED

    def check(self) -> StoredEvent:
        """The record's own consistency (a record from an older or foreign writer may lack fields)."""
        if self.type not in STORED_TYPES:
            raise ValueError(f"type {self.type!r} is not stored")
        if self.is_mention and (not self.brand or self.reach is None):
            raise ValueError("a mention needs brand and reach")
        if self.type == "quota.set" and (self.amount is None or self.period_start is None or self.period_end is None):
            raise ValueError("quota.set needs amount and period")
        if self.type == "deal.won" and self.amount is None:
            raise ValueError("deal.won needs amount")
        return self


def encode(tenant_id: str, rep_id: str, source: str, event_id: str, event_type: str, time: str,
           fields: dict[str, Any]) -> bytes:
    """``fields`` is ``shared.events.stored_data``'s answer."""
    return orjson.dumps({"tenant_id": tenant_id, "rep_id": rep_id, "source": source, "id": event_id,
                         "type": event_type, "time": time, **fields})
