from services.ingest.rate_limit import TokenBuckets, retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_per_minute_then_refills_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock=clock)  # one every 10 s
    assert [buckets.take("a") for _ in range(6)] == [0.0] * 6
    wait = buckets.take("a")
    assert 9.9 < wait <= 10.0 and retry_after(wait) == "10"
    assert buckets.take("b") == 0.0  # keys are independent
    clock.now += 10
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_the_number_of_keys_is_bounded() -> None:
    buckets = TokenBuckets(1, max_keys=3, clock=Clock())
    for key in "abcdef":
        assert buckets.take(key) == 0.0
    assert len(buckets._buckets) <= 3
