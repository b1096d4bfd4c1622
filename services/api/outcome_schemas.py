"""Response bodies of validation, brands and share of voice (documented in OpenAPI with examples)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

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
