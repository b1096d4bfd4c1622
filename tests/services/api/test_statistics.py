"""Property tests of the rank correlation and its bootstrap interval (services.api.statistics)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.api.statistics import _row_ranks, bootstrap_interval, percentile, ranks, spearman

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
few_values = st.integers(-5, 5).map(float)  # many ties
pairs = st.integers(2, 40).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(finite, few_values), min_size=n, max_size=n),
    st.lists(st.one_of(finite, few_values), min_size=n, max_size=n)))
monotone = st.sampled_from([
    lambda v: 3 * v + 7,
    lambda v: math.copysign(math.log1p(abs(v)), v),
    lambda v: v ** 3,
    lambda v: math.atan(v / 1e3),
])


@given(pairs)
def test_rho_is_between_minus_one_and_one_and_symmetric(xy: tuple[list[float], list[float]]) -> None:
    x, y = xy
    rho = spearman(x, y)
    if rho is None:
        assert len(set(x)) == 1 or len(set(y)) == 1
        return
    assert -1 <= rho <= 1
    assert spearman(y, x) == pytest.approx(rho, abs=1e-9)
    assert spearman(x, [-v for v in y]) == pytest.approx(-rho, abs=1e-9)


@given(pairs, monotone)
def test_rho_is_invariant_under_increasing_transforms(xy: tuple[list[float], list[float]], f) -> None:  # type: ignore[no-untyped-def]
    x, y = xy
    fx = [f(v) for v in x]
    assume([a < b for a in x for b in x] == [a < b for a in fx for b in fx])  # strictly increasing in floats too
    assume([a == b for a in x for b in x] == [a == b for a in fx for b in fx])
    rho, moved = spearman(x, y), spearman(fx, y)
    assert (rho is None) == (moved is None)
    if rho is not None:
        assert moved == pytest.approx(rho, abs=1e-9)


@given(st.lists(finite, min_size=2, max_size=40, unique=True))
def test_a_sample_against_itself_or_its_reverse_is_one_or_minus_one(x: list[float]) -> None:
    assert spearman(x, x) == pytest.approx(1.0)
    assert spearman(x, [-v for v in x]) == pytest.approx(-1.0)


def test_ties_take_their_average_rank() -> None:
    assert ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert ranks([5, 5, 5]) == [2, 2, 2]
    # textbook value with ties: x = 1,2,2,3 and y = 1,3,2,4 -> Pearson of ranks
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(0.9486832980505138)


@given(st.lists(st.lists(few_values, min_size=5, max_size=5), min_size=1, max_size=6))
def test_the_vectorised_ranks_equal_the_plain_ones(rows: list[list[float]]) -> None:
    assert _row_ranks(np.array(rows)).tolist() == [ranks(r) for r in rows]


def test_percentile_interpolates_like_numpy() -> None:
    values = sorted(random.Random(3).random() for _ in range(101))
    for q in (0.0, 0.025, 0.5, 0.975, 1.0):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q * 100)))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 2.0), st.integers(100, 300))
def test_for_large_n_the_interval_contains_the_estimate_and_is_reproducible(seed: int, noise: float, n: int) -> None:
    rng = random.Random(seed)
    x = [rng.gauss(0, 1) for _ in range(n)]
    y = [v + rng.gauss(0, noise) for v in x]
    rho = spearman(x, y)
    assert rho is not None
    interval = bootstrap_interval(x, y)
    assert interval is not None
    low, high = interval
    assert -1 <= low <= rho <= high <= 1
    assert bootstrap_interval(x, y) == interval  # fixed seed: the same data give the same interval


def test_the_interval_narrows_as_n_grows() -> None:
    rng = random.Random(7)
    widths = []
    for n in (20, 80, 320):
        x = [rng.gauss(0, 1) for _ in range(n)]
        y = [v + rng.gauss(0, 1) for v in x]
        low, high = bootstrap_interval(x, y)  # type: ignore[misc]
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]


def test_undefined_cases() -> None:
    assert spearman([1.0], [2.0]) is None
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert bootstrap_interval([1.0], [1.0]) is None
    assert bootstrap_interval([1, 1, 1, 1], [1, 2, 3, 4]) is None
    with pytest.raises(ValueError):
        spearman([1, 2], [1])
    with pytest.raises(ValueError):
        spearman([1, float("nan")], [1, 2])
