"""Periods: ISO 8601 intervals of two dates."""

from __future__ import annotations

from datetime import date

import pytest

from services.api.reading.periods import InvalidPeriod, Period, parse


def test_an_interval_of_dates_both_days_included() -> None:
    period = parse("2026-10-01/2026-12-31")
    assert period == Period(date(2026, 10, 1), date(2026, 12, 31)) and period.days == 92
    assert str(period) == "2026-10-01/2026-12-31"


@pytest.mark.parametrize("text", ["2026-10-01", "2026-10-01/", "2026-10-01--2026-10-02", "2026-10-01T00:00Z/2026-10-02",
                                  "2026-12-01/2026-10-01", "2026-02-30/2026-03-01", "2024-01-01/2025-12-31",
                                  "1969-12-31/1970-01-05", "P1D/2026-10-01"])
def test_anything_else_is_refused_with_the_reason(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidPeriod):
        parse(text)
