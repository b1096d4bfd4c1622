"""Engine builder with explicit arguments: the services bind it to their own settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, *, application_name: str, pool_size: int = 5, pre_ping: bool = True) -> AsyncEngine:
    """``pre_ping``: test each connection with a round trip when it leaves the pool. Without it a connection
    that Postgres dropped fails its first statement (a disconnect error, which invalidates the whole pool, so
    the next checkout reconnects)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        connect_args={"server_settings": {"application_name": application_name}, "timeout": 5},
    )
