"""The api's pool without pre-ping (shared.db.engine, pre_ping=False), on the real Postgres: a pooled connection
whose backend Postgres terminated is replaced at checkout, so the next statement succeeds instead of failing
with "connection is closed" (what a Postgres restart does to every pooled connection)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from shared.db.engine import make_engine


async def test_a_connection_postgres_closed_is_replaced_at_checkout_without_a_round_trip(stack) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(stack.database_url, application_name="test-checkout", pool_size=1, pre_ping=False,
                         max_overflow=0)
    other = make_engine(stack.database_url, application_name="test-checkout-killer", pool_size=1)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with other.connect() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})).scalar_one()
        await asyncio.sleep(1.0)  # the event loop sees the socket close
        async with engine.connect() as conn:  # the one pooled connection was closed: a new one, no error
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()
        await other.dispose()
