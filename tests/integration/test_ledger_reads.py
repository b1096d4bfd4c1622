"""shared.db.ledger on the real Postgres: the batched read (one statement for a whole explanation pass) gives each rep
exactly what the per-rep read gives, the same rep id in two tenants stays apart, and the 24-hours-before part
counts only rows at least a day old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.scorer.sink import repository as sink_repository
from shared.db.engine import make_engine
from shared.db.ledger import ledger_until, ledgers_until
from shared.scoring.ledger import LedgerRow
from tests.integration.test_sink_repository import aged_ledger


def by_bucket(row: LedgerRow) -> tuple[int, str, str]:
    return row.day, row.type, row.source


async def test_the_batched_read_equals_the_per_rep_read(stack, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("ledger-a")["tenant_id"], tenant_factory("ledger-b")["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-ledger-reads", pool_size=1)
    now = datetime.now(UTC)
    first_day = int(now.timestamp() // 86400) - 30
    try:
        async with engine.begin() as conn:
            await sink_repository.insert_ledger(conn, [
                aged_ledger(a, "same", [0.1, 0.2, 2.5, 3.0], now),  # two today, two older than a day
                aged_ledger(b, "same", [0.5], now),  # the same rep id in another tenant
                aged_ledger(a, "other", [1.5, 40.0], now),  # one before first_day: left out
            ])
            wanted = [(a, "same"), (b, "same"), (a, "other"), (a, "nobody")]
            batched = await ledgers_until(conn, wanted, model_version="m1", first_day=first_day, until=now)
            single = {key: await ledger_until(conn, *key, model_version="m1", first_day=first_day, until=now)
                      for key in wanted}
            assert await ledgers_until(conn, [], model_version="m1", first_day=first_day, until=now) == {}
        assert set(batched) == {(a, "same"), (b, "same"), (a, "other")}  # no rows: absent
        assert single[(a, "nobody")] == ([], [])
        for key in batched:
            for part in (0, 1):
                assert sorted(batched[key][part], key=by_bucket) == sorted(single[key][part], key=by_bucket)
        rows, earlier = batched[(a, "same")]
        assert sum(r.events for r in rows) == 4 and sum(r.events for r in earlier) == 2
        assert sum(r.events for r in batched[(b, "same")][0]) == 1 and batched[(b, "same")][1] == []
        assert sum(r.events for r in batched[(a, "other")][0]) == 1  # the 40-day-old row is before first_day
        assert all(isinstance(r, LedgerRow) for r in rows)
    finally:
        await engine.dispose()
