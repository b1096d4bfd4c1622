"""Engine builder with explicit arguments: the services bind it to their own settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, *, application_name: str, pool_size: int = 5, pre_ping: bool = True,
                max_overflow: int | None = None, **options: Any) -> AsyncEngine:
    """``pre_ping``: test each connection with a round trip when it leaves the pool. Without it, a connection is
    only checked for what the driver already knows, without a round trip: one whose socket Postgres closed
    (a restart, a terminated backend) is replaced at checkout (``_drop_closed``); one that dies unnoticed
    fails its first statement (a disconnect error, which invalidates the pool). ``max_overflow`` (default
    ``pool_size``): connections opened beyond the pool under load, each closed when returned; 0 makes callers
    wait for a pooled one instead of paying a connect and a close. ``options`` go to create_async_engine."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping,
        **options,
        connect_args={"server_settings": {"application_name": application_name}, "timeout": 5},
    )
    if not pre_ping:
        event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine


def _drop_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A checkout that costs no round trip: asyncpg marks a connection closed as soon as the event loop sees its
    socket close, so a connection Postgres dropped is discarded here (DisconnectionError makes the pool open
    another) instead of failing the request's statement."""
    driver = getattr(dbapi_connection, "_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the connection was closed by the server")
