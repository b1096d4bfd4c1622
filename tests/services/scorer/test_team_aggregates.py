"""A team's aggregates: percentiles interpolate as Postgres' percentile_cont, bins hold every member once."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from services.scorer.sink.team_aggregates import Member, aggregate, bins, percentile

totals = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60)


@given(totals)
def test_median_and_p90_interpolate_like_percentile_cont(values) -> None:  # type: ignore[no-untyped-def]
    ordered = sorted(values)
    assert abs(percentile(ordered, 0.5) - statistics.median(ordered)) < 1e-9
    if len(ordered) > 1:
        expected = statistics.quantiles(ordered, n=10, method="inclusive")[8]
        assert abs(percentile(ordered, 0.9) - expected) < 1e-9
    assert ordered[0] <= percentile(ordered, 0.9) <= ordered[-1]


@given(totals)
def test_bins_count_every_member_once_in_its_ten_points(values) -> None:  # type: ignore[no-untyped-def]
    counted = bins(values)
    assert sum(b["reps"] for b in counted) == len(values)
    assert [b["from"] for b in counted] == list(range(0, 100, 10))
    for b in counted:
        inside = [v for v in values if b["from"] <= v < b["to"] or (b["to"] == 100 and v == 100)]
        assert b["reps"] == len(inside)


def test_members_without_a_score_count_as_zero_and_the_trend_is_the_mean_of_the_members() -> None:
    pillars = {"brand": 10.0, "people": 5.0, "insights": 5.0, "relationships": 0.0}
    team = aggregate([Member(20.0, pillars, 0.5), Member(None, None, None), Member(40.0, {**pillars, "brand": 20.0}, 1.0)])
    assert (team.size, team.scored, team.totals) == (3, 2, [0.0, 20.0, 40.0])
    assert team.stats["total"] == {"mean": 20.0, "median": 20.0, "p90": 36.0}
    assert team.stats["brand"]["mean"] == 10.0
    assert team.trend_per_day == 0.5
    assert team.stats["bins"][0]["reps"] == 1 and team.stats["bins"][2]["reps"] == 1 and team.stats["bins"][4]["reps"] == 1
