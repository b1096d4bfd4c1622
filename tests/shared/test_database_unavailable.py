"""A database that is away is told from a bug (503 with Retry-After, not 500)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError, ProgrammingError

from shared.http.unavailable import database_unavailable


def wrapped(orig: BaseException) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, orig)


def test_connection_failures_are_unavailability() -> None:
    assert database_unavailable(ConnectionRefusedError(111, "refused"))
    assert database_unavailable(wrapped(asyncpg.exceptions.CannotConnectNowError("starting up")))
    assert database_unavailable(wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")))
    try:
        try:
            raise ConnectionResetError("reset")
        except ConnectionResetError as inner:
            raise RuntimeError("while reading") from inner
    except RuntimeError as outer:
        assert database_unavailable(outer)


def test_a_bad_query_or_a_bug_is_not() -> None:
    assert not database_unavailable(ProgrammingError("SELECT x", {}, asyncpg.exceptions.UndefinedColumnError("x")))
    assert not database_unavailable(KeyError("tenant"))
    assert not database_unavailable(ValueError("bad"))
