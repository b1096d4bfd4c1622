"""Decoding the sink's input: every record is either valid for its topic or poison with a reason. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from shared import topics
from shared.outcomes import StoredEvent
from shared.scores import LedgerBatch, ScoreSnapshot


class IdentityStatus(BaseModel):
    """How many webhook events wait for a rep to claim a platform identity (the scorer's report)."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str = Field(min_length=1)
    platform: str = Field(min_length=1)
    identity: str = Field(min_length=1)
    parked: int = Field(ge=0)
    last_event_at: AwareDatetime | None = None


@dataclass
class Decoded:
    snapshots: list[tuple[Any, ScoreSnapshot]] = field(default_factory=list)
    ledger: list[tuple[Any, LedgerBatch]] = field(default_factory=list)
    statuses: dict[tuple[str, str, str], IdentityStatus] = field(default_factory=dict)
    """Last status per identity in the batch (the topic is compacted: the last one is the truth)."""
    stored: list[tuple[Any, StoredEvent]] = field(default_factory=list)
    """CRM outcomes and brand mentions (shared.outcomes)."""
    poison: list[tuple[Any, str]] = field(default_factory=list)

    def tenant_ids(self) -> set[str]:
        return ({s.tenant_id for _, s in self.snapshots} | {b.tenant_id for _, b in self.ledger}
                | {k[0] for k in self.statuses} | {e.tenant_id for _, e in self.stored})


def _tenant(tenant_id: str) -> None:
    """Tenant ids are UUIDs; anything else would fail in Postgres for ever, so it is poison here."""
    uuid.UUID(tenant_id)


def decode_batch(records: list[Any]) -> Decoded:
    """Records need ``topic`` and ``value`` (aiokafka's ConsumerRecord)."""
    out = Decoded()
    for record in records:
        try:
            if record.topic == topics.IDENTITY_STATUS:
                status = IdentityStatus.model_validate_json(record.value)
                if status.parked > 0 and status.last_event_at is None:
                    raise ValueError("an identity with parked events needs last_event_at")
                _tenant(status.tenant_id)
                out.statuses[(status.tenant_id, status.platform, status.identity)] = status
            elif record.topic == topics.OUTCOMES:
                stored = StoredEvent.model_validate_json(record.value).check()
                _tenant(stored.tenant_id)
                out.stored.append((record, stored))
            elif record.topic == topics.LEDGER:
                batch = LedgerBatch.model_validate_json(record.value)
                _tenant(batch.tenant_id)
                out.ledger.append((record, batch))
            else:
                snapshot = ScoreSnapshot.model_validate_json(record.value)
                _tenant(snapshot.tenant_id)
                out.snapshots.append((record, snapshot))
        except (ValidationError, ValueError, TypeError) as exc:
            out.poison.append((record, f"undecodable {record.topic} record: {str(exc)[:300]}"))
    return out
