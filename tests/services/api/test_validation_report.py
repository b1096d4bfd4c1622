"""The validation report: who is in a cohort, what is withheld, and the direction of the correlations."""

from __future__ import annotations

import random

from services.api.validation_report import MIN_REPS, RepOutcome, report
from shared.scoring import PILLARS


def rep(i: int, team: str | None, attainment: float, score: float | None, count: int) -> RepOutcome:
    scores = None if score is None else {"total": score, **{p: score / 4 for p in PILLARS}}
    return RepOutcome(f"r{i}", team, attainment, scores, {"total": count, **{p: count // 4 for p in PILLARS}})


def test_a_cohort_below_the_minimum_is_withheld_with_the_reason() -> None:
    body = report("2026-10-01/2026-12-31", [rep(i, "a", i / 10, i, i) for i in range(MIN_REPS - 1)])
    assert body["tenant"]["withheld"] and "fewer than 10" in body["tenant"]["withheld"]
    assert body["tenant"]["score"] is None and body["tenant"]["n"] == MIN_REPS - 1
    assert [t["team"] for t in body["teams"]] == ["a"] and body["teams"][0]["withheld"]


def test_skill_shows_in_the_score_and_random_counts_do_not() -> None:
    rng = random.Random(5)
    reps = []
    for i in range(40):
        skill = rng.random()
        reps.append(rep(i, "big" if i < 30 else "small", skill + rng.gauss(0, 0.1), 100 * skill, rng.randrange(100)))
    body = report("2026-10-01/2026-12-31", reps)
    total = body["tenant"]["score"]["total"]
    assert total["n"] == 40 and total["rho"] > 0.8 and total["interval"][0] > 0.5
    baseline = body["tenant"]["activity_counts"]["total"]
    assert abs(baseline["rho"]) < 0.4 and baseline["interval"][1] < total["interval"][0]
    teams = {t["team"]: t for t in body["teams"]}
    assert teams["big"]["n"] == 30 and teams["big"]["score"]["total"]["rho"] > 0.6
    assert teams["small"]["n"] == 10 and teams["small"]["withheld"] is None


def test_reps_without_daily_scores_leave_only_the_score_measures() -> None:
    reps = [rep(i, None, i, None if i < 5 else i, i) for i in range(15)]
    body = report("2026-10-01/2026-12-31", reps)["tenant"]
    assert body["n"] == 15 and body["activity_counts"]["total"]["n"] == 15
    assert body["score"]["total"]["n"] == 10 and body["score"]["total"]["rho"] == 1.0
