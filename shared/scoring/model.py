"""Loading and validating the declarative scoring model (a TOML file, not code)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PILLARS: tuple[str, ...] = ("brand", "people", "insights", "relationships")
PILLAR_MAX = 25.0
DEFAULT_MODEL_FILE = "skeleton-v1.toml"

Pillar = Literal["brand", "people", "insights", "relationships"]
Positive = Annotated[float, Field(gt=0)]


class PillarParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    half_life_days: Positive
    scale: Positive = Field(description="decayed activity at which the pillar reaches 25*(1-1/e), about 15.8")


class ActivityParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pillar: Pillar
    weight: Positive


class ScoringModel(BaseModel):
    """Which activity feeds which pillar with what weight, how fast it decays and how it saturates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Annotated[str, Field(min_length=1)]
    pillars: dict[Pillar, PillarParams]
    activities: dict[str, ActivityParams]
    outcomes: list[str] = Field(default_factory=list, description="CRM outcomes kept for validation, not scored")
    source_multipliers: dict[str, Positive] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> ScoringModel:
        missing = set(PILLARS) - set(self.pillars)
        if missing:
            raise ValueError(f"pillars missing from the model: {sorted(missing)}")
        clash = set(self.outcomes) & set(self.activities)
        if clash:
            raise ValueError(f"types listed both as activity and outcome: {sorted(clash)}")
        return self

    def source_multiplier(self, source: str) -> float:
        return self.source_multipliers.get(source, self.source_multipliers.get("default", 1.0))


class ModelFileError(ValueError):
    """The model file is missing, not TOML, or does not describe a valid model."""


def load_model(path: Path | str) -> ScoringModel:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return ScoringModel.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ModelFileError(f"scoring model {path}: {exc}") from exc


def load_default_model() -> ScoringModel:
    ref = resources.files("shared.scoring") / "models" / DEFAULT_MODEL_FILE
    with resources.as_file(ref) as path:
        return load_model(path)
