"""The declarative scoring model (a TOML file, not code): loading and validation.

A model says, for every activity type, which pillar it feeds, its base weight, how its returns saturate
within a day, which quality multipliers apply (decision maker, seniority, reach), and per platform how much
the same activity counts. Per pillar it sets the half-life of the decay and the scale of the 0-25 curve.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PILLARS: tuple[str, ...] = ("brand", "people", "insights", "relationships")
PILLAR_MAX = 25.0
DEFAULT_MODEL_FILE = "ssi-v2.toml"
SKELETON_MODEL_FILE = "skeleton-v1.toml"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

Pillar = Literal["brand", "people", "insights", "relationships"]
Quality = Literal["decision_maker", "seniority", "reach"]
Positive = Annotated[float, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PillarParams(_Strict):
    half_life_days: Positive
    scale: Positive = Field(description="decayed value at which the pillar reaches 25*(1-1/e), about 15.8 points")


class ActivityParams(_Strict):
    pillar: Pillar
    weight: Positive
    daily_cap: Positive | None = Field(
        None, description="quality units a day before returns saturate: g(Q) = cap*(1-exp(-Q/cap)); none: linear"
    )
    quality: list[Quality] = Field(default_factory=list, description="quality multipliers that apply")
    reach_field: Literal["data.reach", "counterpart.followers"] | None = None
    two_way: bool = Field(False, description="a conversation with the other side, not a one-way click")
    platforms: dict[str, Positive] = Field(default_factory=dict, description="per-platform multiplier overrides")
    description: str = ""

    @model_validator(mode="after")
    def _reach_needs_field(self) -> ActivityParams:
        if "reach" in self.quality and self.reach_field is None:
            raise ValueError("an activity with the 'reach' quality needs reach_field")
        return self


class QualityParams(_Strict):
    decision_maker: Positive = Field(1.0, description="multiplier when counterpart.is_decision_maker is true")
    seniority: dict[str, Positive] = Field(default_factory=dict, description="counterpart.seniority -> multiplier")
    reach_gain: float = Field(0.0, ge=0, description="multiplier = 1 + gain*log10(1 + audience/pivot), capped")
    reach_pivot: Positive = 1000.0
    reach_max: Positive = 3.0


class ScoringModel(_Strict):
    """Which activity feeds which pillar with what weight, how fast it decays and how it saturates."""

    version: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="also names the scorer's tables")]
    description: str = ""
    late_window_days: int = Field(
        35, ge=1, le=366, description="per-day buckets kept this many days behind a rep's newest event"
    )
    pillars: dict[Pillar, PillarParams]
    activities: dict[Annotated[str, Field(pattern=TYPE_PATTERN)], ActivityParams]
    outcomes: list[str] = Field(default_factory=list, description="CRM outcomes kept for validation, not scored")
    platforms: dict[str, Positive] = Field(default_factory=dict, description="platform multipliers; 'default'")
    quality: QualityParams = Field(default_factory=QualityParams)

    @model_validator(mode="after")
    def _complete(self) -> ScoringModel:
        missing = set(PILLARS) - set(self.pillars)
        if missing:
            raise ValueError(f"pillars missing from the model: {sorted(missing)}")
        clash = set(self.outcomes) & set(self.activities)
        if clash:
            raise ValueError(f"types listed both as activity and outcome: {sorted(clash)}")
        return self

    def platform_multiplier(self, event_type: str, source: str) -> float:
        override = self.activities[event_type].platforms.get(source)
        if override is not None:
            return override
        return self.platforms.get(source, self.platforms.get("default", 1.0))

    def half_life_seconds(self, pillar: str) -> float:
        return self.pillars[pillar].half_life_days * 86_400.0  # type: ignore[index]


class ModelFileError(ValueError):
    """The model file is missing, not TOML, or does not describe a valid model."""


def load_model(path: Path | str) -> ScoringModel:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return ScoringModel.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ModelFileError(f"scoring model {path}: {exc}") from exc


def load_packaged_model(name: str) -> ScoringModel:
    ref = resources.files("shared.scoring") / "models" / name
    with resources.as_file(ref) as path:
        return load_model(path)


def load_default_model() -> ScoringModel:
    return load_packaged_model(DEFAULT_MODEL_FILE)
