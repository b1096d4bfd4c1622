"""The checks on CRM outcome and mention data (shared.events.stored_data) and on periods."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.events import StoredDataError, parse_period, stored_data


def test_a_period_is_an_interval_of_two_dates_both_included() -> None:
    assert parse_period("2026-10-01/2026-12-31") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026-10-01/2026-10-01") == (date(2026, 10, 1), date(2026, 10, 1))
    for bad in ("2026-10-01", "2026-10-01/", "2026-12-31/2026-10-01", "2026-10-01T00:00:00/2026-12-31",
                "20261001/20261231", "2026-10-01/2026-12-31/2027-01-01", "P1M/2026-12-31", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


@given(st.dates(), st.dates())
def test_any_two_ordered_dates_make_a_period(a: date, b: date) -> None:
    first, last = min(a, b), max(a, b)
    assert parse_period(f"{first.isoformat()}/{last.isoformat()}") == (first, last)


def test_outcome_fields() -> None:
    assert stored_data("deal.won", {"amount": 10, "currency": "EUR"}) == {"amount": 10.0, "currency": "EUR"}
    assert stored_data("deal.lost", {}) == {"amount": None, "currency": None}
    assert stored_data("opportunity.created", None) == {"amount": None, "currency": None}
    assert stored_data("quota.set", {"amount": 5e4, "period": "2026-10-01/2026-12-31"})["period_end"] == date(2026, 12, 31)


@pytest.mark.parametrize(("kind", "data", "pointer"), [
    ("deal.won", {}, "/data/amount"),
    ("deal.won", {"amount": True}, "/data/amount"),
    ("deal.won", {"amount": -1}, "/data/amount"),
    ("deal.won", {"amount": float("nan")}, "/data/amount"),
    ("deal.won", {"amount": 1e16}, "/data/amount"),
    ("deal.lost", {"amount": 1, "currency": 3}, "/data/currency"),
    ("quota.set", {"period": "2026-10-01/2026-12-31"}, "/data/amount"),
    ("quota.set", {"amount": 1, "period": 20261001}, "/data/period"),
    ("mention.received", {"brand": " ", "reach": 1}, "/data/brand"),
    ("mention.received", {"brand": "Acme"}, "/data/reach"),
    ("mention.received", {"brand": "Acme", "reach": 1, "sentiment": "meh"}, "/data/sentiment"),
    ("post.published", {}, "/type"),
])
def test_bad_data_names_its_field(kind: str, data: dict, pointer: str) -> None:
    with pytest.raises(StoredDataError) as caught:
        stored_data(kind, data)
    assert caught.value.pointer == pointer
