"""The scorer's per-tenant counts and hourly limit. Pure."""

from __future__ import annotations

from services.scorer.quotas import HourlyLimit, TenantCounts


def test_reps_are_admitted_up_to_the_quota_per_tenant() -> None:
    counts = TenantCounts(max_reps=2, max_parked_identities=1)
    assert counts.admit_rep("a") and counts.admit_rep("a") and not counts.admit_rep("a")
    assert counts.admit_rep("b")
    assert counts.admit_parked_identity("a") and not counts.admit_parked_identity("a")


def test_a_database_count_never_lowers_what_this_process_admitted_since() -> None:
    counts = TenantCounts(max_reps=3, max_parked_identities=5)
    counts.admit_rep("a")
    counts.admit_rep("a")
    counts.load({"a": (1, 4), "b": (3, 0)})  # the sink has written one of a's two new reps so far
    assert counts.reps == {"a": 2, "b": 3}
    assert not counts.admit_rep("b") and counts.admit_rep("a") and not counts.admit_rep("a")
    assert counts.admit_parked_identity("a") and not counts.admit_parked_identity("a")


def test_the_hourly_limit_resets_each_clock_hour() -> None:
    limit = HourlyLimit(2)
    assert limit.take("t", 3600.0) and limit.take("t", 3601.0) and not limit.take("t", 7199.0)
    assert limit.take("u", 7199.0)
    assert limit.take("t", 7200.0)
