"""The projection method and target progress (services/api/reading/targets.py), as properties."""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from services.api.reading.targets import (
    MAX_PROJECTION_DAYS,
    Milestone,
    progress,
    projected_date,
    shares_reached,
)

TODAY = date(2026, 11, 26)
scores = st.floats(0, 100, allow_nan=False)
trends = st.one_of(st.none(), st.floats(-10, 10, allow_nan=False))
days = st.integers(-400, 2000).map(lambda d: TODAY + timedelta(days=d))
milestones = st.lists(st.builds(Milestone, days, scores), min_size=1, max_size=6)


@given(scores, trends, scores)
def test_the_projected_day_is_the_first_the_trend_line_reaches(total, trend, score) -> None:  # type: ignore[no-untyped-def]
    projected = projected_date(total, trend, score, TODAY)
    if total >= score:
        assert projected == TODAY
    elif trend is None or trend <= 0:
        assert projected is None  # a flat or falling trend never gets there
    elif projected is not None:
        n = (projected - TODAY).days
        assert total + trend * n >= score - 1e-9  # reached on that day
        assert total + trend * (n - 1) < score + 1e-9  # not the day before
    else:
        assert (score - total) / trend > MAX_PROJECTION_DAYS - 1


@given(scores, st.floats(0.001, 10), st.floats(0.001, 10), scores)
def test_a_steeper_trend_never_projects_later(total, a, b, score) -> None:  # type: ignore[no-untyped-def]
    slow, fast = sorted((a, b))
    p_slow, p_fast = projected_date(total, slow, score, TODAY), projected_date(total, fast, score, TODAY)
    if p_slow is not None:
        assert p_fast is not None and p_fast <= p_slow


@given(milestones, scores, trends)
def test_status_follows_the_next_milestone_and_its_projection(ms, total, trend) -> None:  # type: ignore[no-untyped-def]
    got = progress(ms, total, trend, TODAY)
    assert got is not None
    ordered = sorted(ms)
    pending = [m for m in ordered if total < m.score]
    if not pending:
        assert got["status"] == "reached" and got["projected_date"] is None
        assert got["next"] == ordered[-1].to_json()
        return
    assert got["next"] == pending[0].to_json()  # the earliest milestone not reached
    projected = got["projected_date"]
    if got["status"] == "on_track":
        assert projected is not None and date.fromisoformat(projected) <= pending[0].by
    else:
        assert got["status"] == "at_risk"
        assert projected is None or date.fromisoformat(projected) > pending[0].by


@given(milestones, scores, st.floats(0.001, 10))
def test_an_overdue_milestone_is_at_risk(ms, total, trend) -> None:  # type: ignore[no-untyped-def]
    overdue = [Milestone(TODAY - timedelta(days=1), max(total + 1, 1.0))]
    assume(total + 1 <= 100)
    assert progress(overdue, total, trend, TODAY)["status"] == "at_risk"  # type: ignore[index]


def test_no_milestones_no_progress_and_the_worked_example() -> None:
    assert progress([], 50, 1.0, TODAY) is None
    vodafone = [Milestone(date(2027, 6, 1), 70), Milestone(date(2027, 12, 1), 80)]
    got = progress(vodafone, 50.0, 0.25, TODAY)  # 20 points at 0.25 a day: 80 days
    assert got == {"next": {"score": 70, "by": "2027-06-01"}, "status": "on_track",
                   "projected_date": str(TODAY + timedelta(days=80))}
    assert progress(vodafone, 75.0, 0.0, TODAY)["next"]["score"] == 80  # type: ignore[index]
    assert progress(vodafone, 50.0, -0.1, TODAY)["status"] == "at_risk"  # type: ignore[index]


@given(milestones, st.lists(scores, max_size=40))
def test_shares_count_the_members_at_or_above_each_score(ms, totals) -> None:  # type: ignore[no-untyped-def]
    totals.sort()
    for share in shares_reached(ms, totals):
        expected = sum(t >= share["score"] for t in totals)
        assert share["reps"] == expected
        assert math.isclose(share["share"], round(expected / len(totals), 4) if totals else 0.0)
