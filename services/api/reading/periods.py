"""Periods: ISO 8601 intervals of dates, ``2026-10-01/2026-12-31`` (both days included, UTC). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

EARLIEST_DAY = date(1970, 1, 2)
MAX_DAYS = 366
_INTERVAL = re.compile(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})")


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def to_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse(text: str, name: str = "period") -> Period:
    """``FROM/TO`` as two calendar dates, FROM not after TO, at most MAX_DAYS days, none before 1970-01-02."""
    match = _INTERVAL.fullmatch(text)
    if not match:
        raise InvalidPeriod(f"{name} must be an ISO 8601 interval of two dates, FROM/TO (e.g. 2026-10-01/2026-12-31); "
                            f"got {text[:60]!r}")
    try:
        start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
    except ValueError:
        raise InvalidPeriod(f"{name} holds a day that is not on the calendar: {text!r}") from None
    if start < EARLIEST_DAY:
        raise InvalidPeriod(f"{name} starts before {EARLIEST_DAY}")
    if start > end:
        raise InvalidPeriod(f"{name} starts ({start}) after it ends ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"{name} is longer than {MAX_DAYS} days")
    return Period(start, end)


def last_days(today: date, days: int) -> Period:
    return Period(today - timedelta(days=days - 1), today)
