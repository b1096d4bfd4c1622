"""The sink's SQL on the real Postgres: large batches, newest-wins upserts, a ledger written once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from services.scorer.sink import repository
from shared.db.engine import make_engine
from shared.db.schema import rep_score_daily, rep_scores, scored_events
from shared.scores import LedgerBatch, ScoredEvent, ScoreSnapshot


def snapshot(tenant_id: str, rep: str, seq: int, total: float) -> ScoreSnapshot:
    now = datetime.now(UTC)
    return ScoreSnapshot(
        tenant_id=tenant_id, rep_id=rep, model_version="m1", as_of=now, seq=seq, events=seq + 1,
        pillars={"brand": total, "people": 0.0, "insights": 0.0, "relationships": 0.0}, total=total,
        basis={"anchor": now.timestamp(), "values": {"brand": total}},
    )


def ledger(tenant_id: str, rep: str, n: int, start: int = 0) -> LedgerBatch:
    now = datetime.now(UTC)
    return LedgerBatch(
        tenant_id=tenant_id, rep_id=rep, model_version="m1", scored_at=now,
        rows=[ScoredEvent(id=f"e-{rep}-{i}", source="linkedin", type="post.published", time=now, pillar="brand",
                          day=20000, quality=1.0, decayed=1.0) for i in range(start, start + n)],
    )


async def test_batches_beyond_one_statement_and_newest_wins(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(stack.database_url, application_name="test-sink", pool_size=1)
    tid = tenant["tenant_id"]
    batch = [snapshot(tid, f"bulk-{i}", 5, 5.0) for i in range(2600)]  # > 32,767 parameters in one statement
    try:
        async with engine.begin() as conn:
            assert await repository.upsert_current(conn, batch) == 2600
            assert await repository.upsert_daily(conn, batch) == 2600
            assert await repository.insert_ledger(conn, [ledger(tid, "bulk-0", 25_000), ledger(tid, "bulk-1", 3)]) == 25_003
        async with engine.begin() as conn:  # an older snapshot and a replay of the same one change nothing
            await repository.upsert_current(conn, [snapshot(tid, "bulk-0", 3, 9.0), snapshot(tid, "bulk-1", 5, 9.0)])
            await repository.upsert_current(conn, [snapshot(tid, "bulk-2", 6, 7.0)])  # newer: wins
            await repository.insert_ledger(conn, [ledger(tid, "bulk-0", 10, start=24_995)])  # 5 again, 5 new
        async with engine.connect() as conn:
            count = lambda t: select(func.count()).select_from(t).where(t.c.tenant_id == tid)  # noqa: E731
            assert (await conn.execute(count(rep_scores))).scalar_one() == 2600
            assert (await conn.execute(count(rep_score_daily))).scalar_one() == 2600
            assert (await conn.execute(count(scored_events))).scalar_one() == 25_008
            totals = dict((await conn.execute(
                select(rep_scores.c.rep_id, rep_scores.c.total)
                .where(rep_scores.c.tenant_id == tid, rep_scores.c.rep_id.in_(["bulk-0", "bulk-1", "bulk-2"]))
            )).all())
            assert totals == {"bulk-0": 5.0, "bulk-1": 5.0, "bulk-2": 7.0}
    finally:
        await engine.dispose()
