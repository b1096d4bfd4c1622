"""Helpers the CLI commands share: run one database transaction, and check a TENANT argument."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from services.api.cli_secrets import fail
from services.api.config import ApiSettings
from shared.db.engine import make_engine

T = TypeVar("T")


def in_transaction(work: Callable[[AsyncConnection], Awaitable[T]], settings: ApiSettings | None = None) -> T:
    async def run() -> T:
        engine = make_engine((settings or ApiSettings()).database_url, application_name="ssi-cli", pool_size=1)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def tenant_id(value: str) -> str:
    """TENANT is the tenant id everywhere in the CLI (the UUID `ssi tenant create` printed)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise fail(f"TENANT is the tenant id (a UUID, as `ssi tenant create` prints it), not {value[:60]!r}") from None
