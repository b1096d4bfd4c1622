"""Telling a database that is away from a bug: the first is a 503 with Retry-After (the client retries), the
second stays a 500. Pure: inspects an exception, opens nothing."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError

RETRY_AFTER_SECONDS = 5

_CONNECTION_ERRORS = (
    OSError,  # refused or reset while connecting (ConnectionError, socket errors)
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,  # includes "the database system is shutting down / starting up"
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,  # e.g. "connection is closed"
)


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) says the database cannot be reached, not that a query is wrong."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        orig = getattr(current, "orig", None)
        for candidate in (current, orig):
            if isinstance(candidate, _CONNECTION_ERRORS):
                return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False
