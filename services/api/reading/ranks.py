"""Percentile ranks from cohort counts: the rule of the README's ranks (withheld below a minimum cohort, the
industry rank only against enough other tenants, rounded down to a multiple of 5). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

INDUSTRY_STEP = 5
"""The industry percentile is rounded down to a multiple of this many points."""


@dataclass(frozen=True)
class RankPolicy:
    min_cohort: int
    min_other_tenants: int


@dataclass(frozen=True)
class CohortCounts:
    """Where a rep's total stands: how many members of each cohort score lower, and how many there are
    (the industry cohort: other tenants' scored reps only, and from how many tenants). None: no such cohort."""

    team: tuple[int, int] | None
    tenant: tuple[int, int] | None
    industry: tuple[int, int, int] | None


def _within(cohort: str, counts: tuple[int, int] | None, policy: RankPolicy) -> dict:
    if counts is None:
        return {"percentile": None, "withheld": f"the rep has no {cohort} in the directory (PUT /v1/reps/{{rep_id}})"}
    below, size = counts
    if size < policy.min_cohort:
        return {"percentile": None, "withheld": f"cohort smaller than {policy.min_cohort}"}
    return {"percentile": round(100.0 * below / (size - 1), 1), "withheld": None}


def _industry(counts: tuple[int, int, int] | None, policy: RankPolicy) -> dict:
    if counts is None:
        return {"percentile": None, "withheld": "the rep has no industry in the directory (PUT /v1/reps/{rep_id})"}
    below, size, tenants = counts
    if size < policy.min_cohort or tenants < policy.min_other_tenants:
        return {"percentile": None, "withheld": f"fewer than {policy.min_cohort} scored reps of at least "
                                                f"{policy.min_other_tenants} other tenants in this industry"}
    return {"percentile": float(INDUSTRY_STEP * math.floor(100.0 * below / size / INDUSTRY_STEP)), "withheld": None}


def ranks(counts: CohortCounts, policy: RankPolicy) -> dict:
    """{"team": Rank, "tenant": Rank, "industry": Rank} as JSON-ready dicts."""
    return {
        "team": _within("team", counts.team, policy),
        "tenant": _within("tenant", counts.tenant, policy),
        "industry": _industry(counts.industry, policy),
    }
