"""The per-tenant token bucket, pure: bursts, refill, batches counted as their events, debt, Retry-After."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.quota import TenantQuota, TokenBucket, retry_after_seconds


def test_a_burst_then_refusal_then_refill_at_the_rate() -> None:
    quota = TenantQuota(rate=2.0, burst=4)
    assert [quota.take("a", 1, 100.0) for _ in range(4)] == [0.0] * 4
    wait = quota.take("a", 1, 100.0)
    assert wait == pytest.approx(0.5) and retry_after_seconds(wait) == 1
    assert quota.take("b", 4, 100.0) == 0.0  # another tenant has its own bucket
    assert quota.take("a", 1, 100.5) == 0.0
    assert quota.take("a", 1, 100.5) > 0


def test_a_batch_counts_as_its_events_and_a_refused_one_takes_nothing() -> None:
    quota = TenantQuota(rate=10.0, burst=10)
    assert quota.take("a", 7, 0.0) == 0.0
    assert quota.take("a", 5, 0.0) == pytest.approx(0.2)  # 3 left, 5 needed
    assert quota.take("a", 3, 0.0) == 0.0  # the refusal took nothing


def test_a_batch_larger_than_the_burst_waits_for_a_full_bucket_then_leaves_debt() -> None:
    quota = TenantQuota(rate=10.0, burst=10)
    assert quota.take("a", 5, 0.0) == 0.0
    assert quota.take("a", 30, 0.0) == pytest.approx(0.5)  # until the bucket is full again
    assert quota.take("a", 30, 0.5) == 0.0  # passes, leaving -20
    assert quota.take("a", 1, 0.5) == pytest.approx(2.1)  # the debt is repaid first


def test_a_clock_going_backwards_refills_nothing() -> None:
    bucket = TokenBucket(rate=1.0, burst=2.0, tokens=0.0, at=50.0)
    assert bucket.take(1, 40.0) > 0
    assert bucket.take(1, 51.0) == 0.0


def test_retry_after_is_a_whole_number_of_seconds_at_least_one() -> None:
    assert retry_after_seconds(0.001) == 1
    assert retry_after_seconds(1.0) == 1
    assert retry_after_seconds(1.2) == 2


requests = st.lists(
    st.tuples(st.floats(0, 5, allow_nan=False), st.integers(0, 60)), min_size=1, max_size=60
)


@given(rate=st.floats(0.5, 1000), burst=st.integers(1, 50), sent=requests)
def test_what_passes_never_exceeds_burst_plus_rate_times_elapsed(rate: float, burst: int, sent) -> None:  # type: ignore[no-untyped-def]
    """Over any run, the events accepted are at most one burst, plus the refill, plus the one request that may
    go into debt (at most its own size beyond the burst)."""
    quota = TenantQuota(rate, burst)
    now, accepted, largest = 0.0, 0, 0
    for gap, n in sent:
        now += gap
        if quota.take("t", n, now) == 0.0:
            accepted += n
            largest = max(largest, n)
    assert accepted <= burst + rate * now + max(0, largest - burst) + 1e-6 * (1 + accepted)


@given(rate=st.floats(0.5, 1000), burst=st.integers(1, 50), sent=requests, n=st.integers(1, 200))
def test_a_retry_after_the_wait_it_was_given_is_accepted(rate: float, burst: int, sent, n: int) -> None:  # type: ignore[no-untyped-def]
    quota = TenantQuota(rate, burst)
    now = 0.0
    for gap, m in sent:
        now += gap
        quota.take("t", m, now)
    wait = quota.take("t", n, now)
    assert wait >= 0.0
    if wait > 0:
        assert quota.take("t", n, now + wait) == 0.0
        assert quota.take("u", min(n, burst), now) == 0.0  # another tenant was never touched
