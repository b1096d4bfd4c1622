from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_IDENTITIES = 32
"""A rep's platform identities: one per platform, and there are not more platforms than this."""


class Pillars(BaseModel):
    brand: float = Field(ge=0, le=25)
    people: float = Field(ge=0, le=25)
    insights: float = Field(ge=0, le=25)
    relationships: float = Field(ge=0, le=25)


class Rank(BaseModel):
    percentile: float | None = Field(
        None, description="share of the cohort scoring lower, 0-100; null if withheld. Industry: share of other "
        "tenants' scored reps of the industry, rounded down to a multiple of 5")
    withheld: str | None = Field(None, description="why no percentile is shown (cohort too small, no cohort)")


class Ranks(BaseModel):
    team: Rank
    tenant: Rank
    industry: Rank


class Contribution(BaseModel):
    pillar: str
    source: str
    type: str
    points: float = Field(description="the part of the pillar's points this activity accounts for")
    events: int


class Change(BaseModel):
    total: float
    pillars: dict[str, float]


class Rate(BaseModel):
    channel: str
    line: str = Field(description='e.g. "requests: 40, accepted 5%, worth x0.17" (decayed counts)')
    asked: float = Field(description="decayed opportunities the channel's one-way activity opened")
    answered: float = Field(description="decayed responses")
    rate: float = Field(description="(alpha + answered) / (alpha + beta + asked): the Beta prior smooths it")
    worth: float = Field(description="what the channel's one-way activity is multiplied by: min(max, rate/reference)")


class Explanation(BaseModel):
    window_days: int
    contributions: list[Contribution] = Field(description="by pillar, platform and activity type, largest first")
    change_since_yesterday: Change = Field(description="score now minus score 24 hours earlier, per pillar")
    rates: list[Rate] = Field(
        default_factory=list, description="ssi-v3: the response rate that scaled each channel's one-way activity"
    )


class RepScore(BaseModel):
    rep_id: str
    total: float = Field(ge=0, le=100, description="sum of the four pillars")
    pillars: Pillars
    as_of: datetime = Field(description="the instant the score is evaluated at (decay applied up to it)")
    model_version: str
    updated_at: datetime = Field(description="when the scorer last changed this rep's state")
    events: int = Field(description="activity events scored for this rep (all time)")
    ranks: Ranks | None = Field(None, description="percentile ranks now; absent for a read with `at`")
    explanation: Explanation


class LeaderboardRep(BaseModel):
    rep_id: str
    name: str | None = Field(description="from the directory; null if the rep has no directory entry")
    team: str | None
    industry: str | None
    total: float | None = Field(ge=0, le=100, description="stored total, 0-100; null for a directory rep without a score")
    pillars: Pillars | None = Field(description="stored pillars; null for a directory rep without a score")
    as_of: datetime | None = Field(
        description="when total and pillars were evaluated (the scorer's last snapshot or the sink's last re-read "
        "with decay); null without a score")


class LeaderboardPage(BaseModel):
    items: list[LeaderboardRep]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page (same sort and filters); null on "
                                    "the last page")


class HistoryPoint(BaseModel):
    day: date
    total: float
    pillars: Pillars
    as_of: datetime = Field(description="end of the day, or now for today")


class RepHistory(BaseModel):
    rep_id: str
    model_version: str
    points: list[HistoryPoint]


class RepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Label | None = None
    team: Label | None = None
    industry: Label | None = Field(None, description="compared across tenants case-insensitively")
    identities: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")], Label] = Field(
        default_factory=dict,
        max_length=MAX_IDENTITIES,
        description="platform -> the rep's user id there, e.g. {\"linkedin\": \"urn:li:...\"}; at most 32",
    )


class Rep(RepIn):
    rep_id: str
    created_at: datetime
    updated_at: datetime


class ModelFeed(BaseModel):
    source: str
    type: str
    pillar: Literal["brand", "people", "insights", "relationships"]
    weight: float = Field(description="base weight times the platform multiplier")
