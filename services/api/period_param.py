"""The ``period=FROM/TO`` query parameter (an ISO 8601 interval of dates, both days included) as routes take it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Query

from shared.events import parse_period
from shared.http.problems import Problem

EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
MAX_DAYS = 731
"""Two years: a quota period is a month, a quarter or a year; longer reads are refused."""

PeriodQuery = Annotated[str, Query(
    max_length=21, description="ISO 8601 interval of dates, FROM/TO, both days included (UTC)",
    examples=["2026-10-01/2026-12-31"])]


@dataclass(frozen=True)
class Period:
    text: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight UTC after the last day."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)


def period_of(value: str, name: str = "period") -> Period:
    """The parsed period, or a 400 naming the parameter."""
    try:
        first, last = parse_period(value)
    except ValueError as exc:
        raise Problem(400, "Invalid period", str(exc), errors=[{"pointer": f"/query/{name}", "detail": str(exc)}]) from None
    if first < EARLIEST or last > LATEST:
        detail = f"a period lies between {EARLIEST} and {LATEST}"
        raise Problem(400, "Invalid period", detail, errors=[{"pointer": f"/query/{name}", "detail": detail}])
    if (last - first).days + 1 > MAX_DAYS:
        detail = f"a period spans at most {MAX_DAYS} days"
        raise Problem(400, "Invalid period", detail, errors=[{"pointer": f"/query/{name}", "detail": detail}])
    return Period(f"{first.isoformat()}/{last.isoformat()}", first, last)
