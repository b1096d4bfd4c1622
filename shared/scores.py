"""The scorer's output records, defined once for the scorer (which writes them) and the sink (which reads them).

- ``ScoreSnapshot`` on ``ssi.scores.v1``: one per touched rep per batch. Small (well under 1 KiB): pillars,
  total, and the basis (each term's value at an anchor instant) from which the score at any later instant
  follows without the rep's buckets. A newer snapshot of a rep always has a larger ``seq`` in its partition,
  so replays and duplicates are harmless.
- ``LedgerBatch`` on ``ssi.ledger.v1``: the events of that batch that were scored, one row each, for the
  ledger behind explanations and point-in-time reads.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict



class ScoredEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    type: str
    time: AwareDatetime
    pillar: str
    day: int
    """UTC day of the event, in days since the epoch."""
    quality: float
    decayed: float
    """quality * 2^((time - day start) / half-life): the event's share of its day's bucket."""


class ScoreSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    rep_id: str
    model_version: str
    as_of: AwareDatetime
    """When the scorer produced the snapshot; its UTC day is the history day."""
    seq: int
    """Input offset of the last applied event: a newer snapshot of a rep always has a larger seq."""
    events: int
    """Activity events scored for this rep so far."""
    pillars: dict[str, float]
    total: float
    basis: dict[str, Any]
    """``shared.scoring.Basis.to_json()``: {"anchor": epoch seconds, "values": {term: value at the anchor}}."""


class LedgerBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    rep_id: str
    model_version: str
    scored_at: AwareDatetime
    rows: list[ScoredEvent]


def encode(record: dict[str, Any]) -> bytes:
    """The scorer builds plain dicts on its hot path; the models above are the contract the sink validates."""
    return orjson.dumps(record)
