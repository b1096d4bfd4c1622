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
    as_of: datetime | None = Field(
        None, description="when the cohort counts were taken (the sink's read-model pass, every "
        "SSI_SINK_READ_MODEL_SECONDS); the ranks compare stored totals as of then")


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0, le=100, allow_inf_nan=False, description="the total to reach, 0-100")
    by: date = Field(description="the day (UTC) it is to be reached by")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    milestones: list[MilestoneIn] = Field(min_length=1, max_length=20, description="1 to 20 milestones")


class Target(TargetIn):
    team: str | None = Field(description="null for the tenant's own target")
    updated_at: datetime


class TargetProgress(BaseModel):
    next: MilestoneIn = Field(description="the earliest milestone not reached yet (the last one once all are)")
    status: Literal["reached", "on_track", "at_risk"]
    projected_date: date | None = Field(
        description="the first day the recent trend reaches next.score (today + ceil((score - total) / trend)); "
        "null when the trend is not positive or takes more than ten years")


class Contribution(BaseModel):
    pillar: str
    source: str
    type: str
    points: float = Field(description="the part of the pillar's points this activity accounts for")
    events: int


class Change(BaseModel):
    total: float
    pillars: dict[str, float]


class Explanation(BaseModel):
    as_of: datetime | None = Field(None, description="the instant the explanation was computed at")
    window_days: int
    contributions: list[Contribution] = Field(description="by pillar, platform and activity type, largest first")
    change_since_yesterday: Change = Field(description="score now minus score 24 hours earlier, per pillar")


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
    target: TargetProgress | None = Field(
        None, description="progress towards the team's target (else the tenant's); null without one or with `at`")


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
    ranks: Ranks | None = Field(
        None, description="null without a score, or before the sink's first read-model pass since the rep's "
        "first snapshot")
    target: TargetProgress | None = Field(None, description="null without a score or a target")


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


# --- teams, targets, uplift (issue 8) ---

class Stat(BaseModel):
    mean: float
    median: float
    p90: float = Field(description="90th percentile, interpolated linearly between the two nearest members")


class PillarStats(BaseModel):
    brand: Stat
    people: Stat
    insights: Stat
    relationships: Stat


class Bin(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from", description="lowest total of the bin (included)")
    to: int = Field(description="highest total (excluded; 100 is in the last bin)")
    reps: int


class MilestoneShare(BaseModel):
    score: float
    by: date
    reps: int = Field(description="members at or above the milestone's score now")
    share: float = Field(description="reps / size, 0-1")


class TeamSummary(BaseModel):
    team: str
    size: int = Field(description="directory reps of the team")
    scored: int = Field(description="of which have a score (the others count as 0 in every figure)")
    total: Stat
    pillars: PillarStats
    bins: list[Bin] = Field(description="members by total, in 10-point bins")
    trend_per_day: float | None = Field(description="mean of the members' 28-day trends, points per day")
    as_of: datetime = Field(description="when the sink derived these figures")
    target: TargetProgress | None = Field(description="progress of the mean total; null without a target")
    milestones: list[MilestoneShare] = Field(description="the target's milestones with the share of reps at or above each")


class TeamPage(BaseModel):
    items: list[TeamSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class PeriodOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class TrendPoint(BaseModel):
    day: date
    size: int
    mean: float
    median: float
    p90: float
    pillars: dict[str, float] = Field(description="mean of each pillar")


class Mover(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    rep_id: str
    name: str | None
    from_: float = Field(alias="from", description="total at the end of the day before the period")
    to: float = Field(description="total at the end of the period (now, when it ends today or later)")
    change: float


class Movers(BaseModel):
    period: PeriodOut
    risers: list[Mover]
    fallers: list[Mover]


class TeamDetail(TeamSummary):
    period: PeriodOut
    trend: list[TrendPoint] = Field(description="one point per day the sink kept the team's figures")
    movers: Movers


class ScoreChange(BaseModel):
    baseline: float = Field(description="team mean at the end of the baseline")
    period: float = Field(description="team mean at the end of the period")
    change: float


class ActivityChange(BaseModel):
    baseline: int
    period: int
    change: int
    baseline_per_day: float
    period_per_day: float
    uplift_percent: float | None = Field(description="change of the daily rate, in % of the baseline's; null "
                                         "when the baseline has none")


class UpliftScore(BaseModel):
    total: ScoreChange
    pillars: dict[str, ScoreChange]


class UpliftActivity(BaseModel):
    pillars: dict[str, ActivityChange]
    platforms: dict[str, ActivityChange]


class Uplift(BaseModel):
    team: str
    size: int
    baseline: PeriodOut
    period: PeriodOut
    score: UpliftScore
    activity: UpliftActivity
