"""The score topic's record: a full snapshot of a rep's state, so replays and duplicates are harmless."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.scoring import RepState


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

    @property
    def rep_state(self) -> RepState:
        return RepState.from_json(self.state)
