"""The running sink enforces the ledger's retention by itself: rows older than SSI_SINK_LEDGER_RETENTION_DAYS
written while it was down are gone soon after it starts (in batches), recent rows stay, and the deletions are
counted in its metrics."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from services.scorer.sink import repository
from shared.db.engine import make_engine
from shared.db.schema import scored_events
from tests.integration.test_sink_repository import aged_ledger


async def test_the_sink_deletes_ledger_rows_past_the_retention(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(stack.database_url, application_name="test-ledger-retention", pool_size=1)
    tid, now = tenant["tenant_id"], datetime.now(UTC)
    stack.stop_service("sink")
    try:
        async with engine.begin() as conn:
            await repository.insert_ledger(conn, [aged_ledger(tid, "old", [401, 402, 500, 900, 2000], now),
                                                  aged_ledger(tid, "recent", [0, 2, 398], now)])
        stack.start_service("sink", {"SSI_SINK_LEDGER_EXPIRY_BATCH": "2"})  # three batches at least
        stack.wait_ready("sink", 120)

        async def rows() -> dict[str, int]:
            async with engine.connect() as conn:
                return dict((await conn.execute(
                    select(scored_events.c.rep_id, func.count()).where(scored_events.c.tenant_id == tid)
                    .group_by(scored_events.c.rep_id))).all())

        deadline = time.monotonic() + 60
        while (left := await rows()) != {"recent": 3}:
            assert left.get("recent") == 3, left  # recent rows never go
            assert time.monotonic() < deadline, f"old ledger rows still there: {left}"
            await asyncio.sleep(0.5)
        metrics = httpx.get(f"http://127.0.0.1:{stack.sink_port}/metrics", timeout=30).text
        expired = re.search(r"^ssi_sink_ledger_rows_expired_total ([0-9.e+]+)$", metrics, re.M)
        assert expired and float(expired.group(1)) >= 5
    finally:
        await engine.dispose()
        stack.stop_service("sink")
        stack.start_service("sink")
        stack.wait_ready("sink", 120)
