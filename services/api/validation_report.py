"""Validation against quota attainment, as a report: which reps count, what is withheld, and the rank
correlations with their intervals. Pure: the rows come from services.api.outcome_repository.

- Attainment of a rep over a period: the deal.won amount with ``time`` in the period divided by the amount of
  the rep's quota.set whose ``data.period`` is exactly that period (the latest one when it was set again).
  Only reps with such a quota are in the cohort.
- Score: the mean of the rep's daily score rows (total and each pillar) on the days of the period; a rep with
  no row in the period is left out of the score measures (it is still in the activity-count baseline).
- Baseline: the count of the rep's scored activity events with ``time`` in the period (all, and per pillar).
- Each measure: n, Spearman's rho with attainment and its 95% percentile-bootstrap interval
  (services.api.statistics). Withheld below ``MIN_REPS`` pairs: a rank correlation of fewer reps is noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.api.statistics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrap_interval, spearman
from shared.scoring import PILLARS

MIN_REPS = 10
MEASURES = ("total", *PILLARS)


@dataclass(frozen=True)
class RepOutcome:
    rep_id: str
    team: str | None
    attainment: float
    scores: dict[str, float] | None
    """Mean daily total and pillars over the period; None when the rep has no daily row in it."""
    counts: dict[str, int]
    """Scored activity events in the period: "total" and per pillar."""


def withheld_reason(n: int) -> str:
    return (f"fewer than {MIN_REPS} reps with a quota for this period and the data to compare (n={n}): a rank "
            f"correlation of so few reps is noise, so none is shown")


def correlation(x: list[float], y: list[float]) -> dict[str, Any]:
    n = len(x)
    if n < MIN_REPS:
        return {"n": n, "rho": None, "interval": None, "withheld": withheld_reason(n)}
    rho = spearman(x, y)
    interval = bootstrap_interval(x, y) if rho is not None else None
    return {
        "n": n,
        "rho": None if rho is None else round(rho, 4),
        "interval": None if interval is None else [round(interval[0], 4), round(interval[1], 4)],
        "withheld": None if rho is not None else "every rep has the same value: the correlation is undefined",
    }


def cohort(reps: list[RepOutcome]) -> dict[str, Any]:
    n = len(reps)
    if n < MIN_REPS:
        return {"n": n, "withheld": withheld_reason(n), "attainment_median": None, "score": None,
                "activity_counts": None}
    scored = [r for r in reps if r.scores is not None]
    attainments = sorted(r.attainment for r in reps)
    middle = n // 2
    median = attainments[middle] if n % 2 else (attainments[middle - 1] + attainments[middle]) / 2
    return {
        "n": n,
        "withheld": None,
        "attainment_median": round(median, 4),
        "score": {m: correlation([r.scores[m] for r in scored],  # type: ignore[index]
                                 [r.attainment for r in scored]) for m in MEASURES},
        "activity_counts": {m: correlation([float(r.counts.get(m, 0)) for r in reps],
                                           [r.attainment for r in reps]) for m in MEASURES},
    }


def report(period: str, reps: list[RepOutcome]) -> dict[str, Any]:
    """The tenant's cohort, and each team's (teams in the directory; a small team is listed as withheld)."""
    teams: dict[str, list[RepOutcome]] = {}
    for rep in reps:
        if rep.team is not None:
            teams.setdefault(rep.team, []).append(rep)
    return {
        "period": period,
        "tenant": cohort(reps),
        "teams": [{"team": name, **cohort(members)} for name, members in sorted(teams.items())],
        "method": {
            "correlation": "Spearman's rank correlation (rho, ties at their average rank) between each rep's "
                           "measure and quota attainment",
            "attainment": "deal.won amount with time in the period / the amount of the rep's quota.set whose "
                          "data.period is the period (the latest one)",
            "score": "mean of the rep's daily score rows in the period (reps with none are left out)",
            "activity_counts": "scored activity events with time in the period, the baseline to beat",
            "interval": f"95% percentile bootstrap, {BOOTSTRAP_RESAMPLES} resamples of the reps, seed "
                        f"{BOOTSTRAP_SEED}",
            "min_reps": MIN_REPS,
        },
    }
