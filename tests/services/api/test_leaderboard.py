"""The leaderboard's sort parsing and sealed cursors (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.reading.leaderboard import (
    SORT_KEYS,
    Filters,
    InvalidParameter,
    Position,
    Sort,
    open_cursor,
    seal,
)

SECRET = "a-test-secret"
TENANT = "8d5c7e9e-0000-4000-8000-000000000001"


@pytest.mark.parametrize("text", ["score", "--total", "+total", "", "-", "Total", "rep_id ", "name"])
def test_a_sort_outside_the_keys_is_refused_naming_sort(text: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        Sort.parse(text)
    assert refused.value.name == "sort"


@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_key_sorts_both_ways(key: str) -> None:
    assert Sort.parse(key) == Sort(key, False) and Sort.parse("-" + key) == Sort(key, True)
    assert str(Sort.parse("-" + key)) == "-" + key


positions = st.one_of(
    st.builds(Position, st.just(0), st.floats(0, 100), st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._@+:\-]{0,20}\Z")),
    st.builds(Position, st.just(1), st.none(), st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._@+:\-]{0,20}\Z")),
)


@given(position=positions)
def test_a_sealed_position_opens_to_itself_with_the_same_tenant_sort_and_filters(position: Position) -> None:
    sort, filters = Sort.parse("-total"), Filters(team="north", min_total=1.5)
    cursor = seal(SECRET, TENANT, sort, filters, position)
    assert open_cursor(SECRET, TENANT, sort, filters, cursor) == position
    for secret, tenant, other_sort, other_filters in (
        ("another-secret", TENANT, sort, filters),
        (SECRET, TENANT.replace("1", "2"), sort, filters),
        (SECRET, TENANT, Sort.parse("total"), filters),
        (SECRET, TENANT, sort, Filters(team="north")),
    ):
        with pytest.raises(InvalidParameter):
            open_cursor(secret, tenant, other_sort, other_filters, cursor)


@given(junk=st.text(max_size=80))
def test_anything_else_is_refused_naming_cursor(junk: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        open_cursor(SECRET, TENANT, Sort.parse("-total"), Filters(), junk)
    assert refused.value.name == "cursor"


def test_bounds_the_wrong_way_round_are_refused() -> None:
    with pytest.raises(InvalidParameter) as refused:
        Filters(min_total=60, max_total=50)
    assert refused.value.name == "min_total"
    assert Filters(industry="SoftWare").industry == "software"
