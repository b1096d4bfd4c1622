"""Response bodies of validation, brands and share of voice (documented in OpenAPI with examples)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

RHO = {"n": 48, "rho": 0.61, "interval": [0.42, 0.76], "withheld": None}


class Correlation(BaseModel):
    n: int = Field(description="reps compared")
    rho: float | None = Field(description="Spearman's rank correlation with quota attainment, -1 to 1")
    interval: list[float] | None = Field(description="95% percentile-bootstrap interval [low, high] of rho")
    withheld: str | None = Field(description="why rho is not shown, when it is not")


class Cohort(BaseModel):
    n: int = Field(description="reps with a quota whose data.period is the period")
    withheld: str | None = Field(description="why no correlation is shown (fewer than 10 reps)")
    attainment_median: float | None = Field(description="median attainment: won amount / quota (1.0 = 100%)")
    score: dict[str, Correlation] | None = Field(
        description="mean daily score over the period against attainment: total and each pillar")
    activity_counts: dict[str, Correlation] | None = Field(
        description="the baseline: scored activity events in the period against attainment, all and per pillar")


class TeamCohort(Cohort):
    team: str


COHORT = {"n": 48, "withheld": None, "attainment_median": 0.93,
          "score": {"total": RHO, "brand": {**RHO, "rho": 0.35, "interval": [0.08, 0.57]}},
          "activity_counts": {"total": {**RHO, "rho": 0.22, "interval": [-0.07, 0.48]}}}


class Validation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "period": "2026-10-01/2026-12-31",
        "tenant": COHORT,
        "teams": [{"team": "enterprise", **COHORT, "n": 17},
                  {"team": "smb", "n": 6, "withheld": "fewer than 10 reps with a quota for this period ...",
                   "attainment_median": None, "score": None, "activity_counts": None}],
        "method": {"correlation": "Spearman's rank correlation ...", "min_reps": 10},
    }]})

    period: str
    tenant: Cohort
    teams: list[TeamCohort]
    method: dict[str, str | int]


BrandName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_COMPETITORS = 20


class BrandsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"own": "Acme", "competitors": ["Globex", "Initech"]}]})

    own: BrandName = Field(description="the tenant's own brand, as mentions name it (case is ignored)")
    competitors: list[BrandName] = Field(default_factory=list, max_length=MAX_COMPETITORS,
                                         description=f"competitors' brands, at most {MAX_COMPETITORS}")

    @model_validator(mode="after")
    def _distinct(self) -> BrandsIn:
        keys = [b.lower() for b in (self.own, *self.competitors)]
        if len(set(keys)) != len(keys):
            raise ValueError("brands must be distinct (ignoring case), and the own brand is not a competitor")
        return self


class Brands(BrandsIn):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"own": "Acme", "competitors": ["Globex", "Initech"], "updated_at": "2026-11-26T09:00:00Z"}]})

    updated_at: datetime


class BrandShare(BaseModel):
    brand: str
    mentions: int
    reach: float = Field(description="sum of data.reach of the mentions")
    share_of_mentions: float | None = Field(description="mentions / all declared brands' mentions (0-1)")
    share_of_voice: float | None = Field(description="reach / all declared brands' reach (0-1)")


class BrandTotal(BrandShare):
    own: bool
    sentiment: float | None = Field(description="mean data.sentiment (-1 to 1) of the mentions that carry one")


class PlatformShare(BrandShare):
    platform: str


class DayShare(BrandShare):
    day: date


class Amplified(BaseModel):
    amplifications: int
    reach_weighted: float = Field(description="sum of the scored events' quality: the model's reach weighting")


class AmplifiedOnPlatform(Amplified):
    platform: str


class AmplifiedOnDay(Amplified):
    day: date


class Amplification(Amplified):
    reps: int = Field(description="reps amplified at least once")
    by_platform: list[AmplifiedOnPlatform]
    by_day: list[AmplifiedOnDay]


class Undeclared(BaseModel):
    mentions: int
    reach: float


ACME = {"brand": "Acme", "own": True, "mentions": 120, "reach": 480000.0, "share_of_mentions": 0.4,
        "share_of_voice": 0.46, "sentiment": 0.31}


class ShareOfVoice(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "period": "2026-10-01/2026-12-31", "team": "enterprise", "mentions_scope": "tenant",
        "brands": [ACME, {**ACME, "brand": "Globex", "own": False, "mentions": 180, "reach": 560000.0,
                          "share_of_mentions": 0.6, "share_of_voice": 0.54, "sentiment": -0.05}],
        "by_platform": [{"platform": "x", "brand": "Acme", "mentions": 70, "reach": 210000.0,
                         "share_of_mentions": 0.41, "share_of_voice": 0.44}],
        "by_day": [{"day": "2026-10-01", "brand": "Acme", "mentions": 3, "reach": 9000.0,
                    "share_of_mentions": 0.5, "share_of_voice": 0.62}],
        "undeclared": {"mentions": 4, "reach": 1200.0},
        "amplification": {"amplifications": 42, "reach_weighted": 71.3, "reps": 11,
                          "by_platform": [{"platform": "linkedin", "amplifications": 30, "reach_weighted": 55.2}],
                          "by_day": [{"day": "2026-10-01", "amplifications": 2, "reach_weighted": 3.1}]},
    }]})

    period: str
    team: str | None = Field(description="the team whose reps' amplification is counted; null: every rep")
    mentions_scope: str = Field(description="'tenant': mentions are the market's conversation, not a team's")
    brands: list[BrandTotal]
    by_platform: list[PlatformShare] = Field(description="per platform (the mention's source), shares within it")
    by_day: list[DayShare] = Field(description="per UTC day with any declared brand's mention, shares within it")
    undeclared: Undeclared = Field(description="mentions of brands that are not declared, left out of the shares")
    amplification: Amplification
