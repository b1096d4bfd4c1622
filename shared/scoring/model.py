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
DEFAULT_MODEL_FILE = "ssi-v3.toml"
PACKAGED_VERSIONS = ("ssi-v2", "ssi-v3")
"""Model versions shipped in shared/scoring/models/, selectable with SSI_MODEL."""
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
    daily_budget: Positive | None = Field(
        None, description="ssi-v3: one-way units a day across all the pillar's rated types before returns saturate: "
        "B(W) = budget*(1-exp(-W/budget)), W the sum of the types' weight*g(Q); none: no budget"
    )


class RateParams(_Strict):
    """ssi-v3: a channel's response rate, a smoothed ratio over decayed counters, scales its one-way activity.

    rate = (alpha + answered) / (alpha + beta + asked), answered and asked decayed with ``half_life_days`` from
    each event's UTC day; worth = min(max_worth, rate / reference) multiplies the one-way activity's value."""

    noun: str = Field(description="what the one-way activity is called in explanations, e.g. 'requests'")
    verb: str = Field(description="what the response is called in explanations, e.g. 'accepted'")
    one_way: dict[str, Positive] = Field(description="one-way type -> opportunities for a response it opens")
    responses: dict[str, Positive] = Field(description="response type -> how much one such response counts")
    alpha: Positive = Field(description="Beta prior: pseudo-responses")
    beta: Positive = Field(description="Beta prior: pseudo-opportunities without a response")
    half_life_days: Positive
    reference: Positive = Field(description="the rate at which one-way activity is worth x1")
    max_worth: Positive = Field(1.5, description="the multiplier's ceiling, however high the rate")
    description: str = ""


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
    rates: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], RateParams] = Field(
        default_factory=dict, description="ssi-v3: response-rate channels (none in ssi-v2)"
    )

    @model_validator(mode="after")
    def _complete(self) -> ScoringModel:
        missing = set(PILLARS) - set(self.pillars)
        if missing:
            raise ValueError(f"pillars missing from the model: {sorted(missing)}")
        clash = set(self.outcomes) & set(self.activities)
        if clash:
            raise ValueError(f"types listed both as activity and outcome: {sorted(clash)}")
        rated: dict[str, str] = {}
        for name, rate in self.rates.items():
            unknown = (set(rate.one_way) | set(rate.responses)) - set(self.activities)
            if unknown:
                raise ValueError(f"rate {name!r} names types that are not activities: {sorted(unknown)}")
            for kind in rate.one_way:
                pillar = self.pillars[self.activities[kind].pillar]
                if rate.half_life_days < pillar.half_life_days:
                    raise ValueError(f"rate {name!r} decays faster ({rate.half_life_days} days) than the pillar "
                                     f"{kind!r} feeds ({pillar.half_life_days}): an idle rep's score could rise")
                if self.activities[kind].two_way:
                    raise ValueError(f"rate {name!r}: {kind!r} is two-way and cannot be scaled as one-way")
                if kind in rated:
                    raise ValueError(f"{kind!r} is one-way in two rates: {rated[kind]!r} and {name!r}")
                rated[kind] = name
            for kind in rate.responses:
                if not self.activities[kind].two_way:
                    raise ValueError(f"rate {name!r}: response {kind!r} must be a two-way activity")
        return self

    def rate_of(self, event_type: str) -> str | None:
        """The channel whose response rate scales this one-way type, if any."""
        for name, rate in self.rates.items():
            if event_type in rate.one_way:
                return name
        return None

    def platform_multiplier(self, event_type: str, source: str) -> float:
        override = self.activities[event_type].platforms.get(source)
        if override is not None:
            return override
        return self.platforms.get(source, self.platforms.get("default", 1.0))

    def half_life_seconds(self, pillar: str) -> float:
        return self.pillars[pillar].half_life_days * 86_400.0  # type: ignore[index]

    def horizon_half_life_days(self) -> float:
        """The slowest decay of anything the state holds: pillars and rate counters."""
        return max([p.half_life_days for p in self.pillars.values()] + [r.half_life_days for r in self.rates.values()])


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
