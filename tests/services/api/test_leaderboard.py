"""The leaderboard's sort parsing and sealed cursors (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.reading.leaderboard import (
    SORT_KEYS,
    ExpiredCursor,
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


rep_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._@+:\-]{0,20}\Z")
snapshots = st.builds(lambda xmin, more, xips: f"{xmin}:{xmin + more}:" + ",".join(str(xmin + x) for x in sorted(xips)),
                      st.integers(1, 2**40), st.integers(0, 1000), st.lists(st.integers(0, 1000), max_size=20))
pinned = st.integers(0, 2**39)
positions = st.one_of(
    st.builds(Position, st.just(0), st.floats(0, 100), rep_ids, snapshots, pinned),
    st.builds(Position, st.just(1), st.none(), rep_ids, snapshots, pinned),
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


@pytest.mark.parametrize("snapshot", ["", "1:2", "x:2:", "1:2:3;", "1:2:3,", "1:2: 3", "-1:2:"])
def test_a_cursor_whose_snapshot_is_not_a_pg_snapshot_is_refused(snapshot: str) -> None:
    cursor = seal(SECRET, TENANT, Sort.parse("-total"), Filters(), Position(0, 1.0, "rep-1", snapshot, 1))
    with pytest.raises(InvalidParameter):
        open_cursor(SECRET, TENANT, Sort.parse("-total"), Filters(), cursor)


async def test_a_cursor_older_than_its_validity_is_expired_before_any_read() -> None:
    from datetime import UTC, datetime

    from services.api.reading.leaderboard import read_page

    now = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
    old = Position(0, 50.0, "rep-1", "5:9:7", int(now.timestamp()) - 901)
    cursor = seal(SECRET, TENANT, Sort.parse("-total"), Filters(), old)
    with pytest.raises(ExpiredCursor) as expired:  # the connection is never used: None would fail if it were
        await read_page(None, policy=None, secret=SECRET, tenant_id=TENANT, sort=Sort.parse("-total"),  # type: ignore[arg-type]
                        filters=Filters(), cursor=cursor, limit=10, model_version="m", cursor_seconds=900, now=now)
    assert "901 s old" in expired.value.detail and "900 s" in expired.value.detail
