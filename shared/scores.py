"""The score topic's record: a full snapshot of a rep's state, so replays and duplicates are harmless,
plus the event that produced it, for the ledger behind explanations and point-in-time reads."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.scoring import RepState


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
    pillars: dict[str, float]
    total: float
    state: dict
    event: ScoredEvent | None = None

    @property
    def rep_state(self) -> RepState:
        return RepState.from_json(self.state)
