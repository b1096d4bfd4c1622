"""Engine builder with explicit arguments: the services bind it to their own settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, *, application_name: str, pool_size: int = 5, pre_ping: bool = True,
                max_overflow: int | None = None, **options: Any) -> AsyncEngine:
    """``pre_ping``: test each connection with a round trip when it leaves the pool. Without it a connection
    that Postgres dropped fails its first statement (a disconnect error, which invalidates the whole pool, so
    the next checkout reconnects). ``max_overflow`` (default ``pool_size``): connections opened beyond the pool
    under load, each closed when returned; 0 makes callers wait for a pooled one instead of paying a connect
    and a close. ``options`` go to create_async_engine."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping,
        **options,
        connect_args={"server_settings": {"application_name": application_name}, "timeout": 5},
    )
