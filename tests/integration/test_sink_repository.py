"""The sink's SQL on the real Postgres: large batches, newest-wins upserts, a ledger written once, and the
ledger's retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from services.scorer.sink import repository
from services.scorer.sink.__main__ import expire_ledger
from services.scorer.sink.config import SinkSettings
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


def aged_ledger(tenant_id: str, rep: str, ages_days: list[float], now: datetime) -> LedgerBatch:
    return LedgerBatch(
        tenant_id=tenant_id, rep_id=rep, model_version="m1", scored_at=now,
        rows=[ScoredEvent(id=f"aged-{rep}-{i}", source="linkedin", type="post.published",
                          time=now - timedelta(days=age), pillar="brand", day=int((now - timedelta(days=age))
                          .timestamp() // 86400), quality=1.0, decayed=1.0) for i, age in enumerate(ages_days)],
    )


async def test_the_ledger_keeps_its_retention_and_deletes_older_rows_in_batches(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    """The sink's expiry (the function its background task runs) on the real Postgres: rows whose event is older
    than SSI_SINK_LEDGER_RETENTION_DAYS go, in several batches of ``ledger_expiry_batch``; recent ones stay."""
    settings = SinkSettings(**{"SSI_ENV": "test", "SSI_DATABASE_URL": stack.database_url}, ledger_expiry_batch=3)
    assert SinkSettings(**{"SSI_ENV": "test"}).ledger_retention_days == 400  # the default
    engine = make_engine(stack.database_url, application_name="test-sink-retention", pool_size=1)
    tid, now = tenant["tenant_id"], datetime.now(UTC)
    old = [400.01, 401, 450, 800, 3000, 500, 420]  # 7 rows: three batches of 3, 3 and 1
    recent = [0, 1, 30, 336, 337, 399.9]
    try:
        async with engine.begin() as conn:
            assert await repository.insert_ledger(conn, [aged_ledger(tid, "old", old, now),
                                                         aged_ledger(tid, "recent", recent, now)]) == 13
        assert await expire_ledger(settings, engine, now) >= 7  # other tenants' expired rows may go too
        async with engine.connect() as conn:
            left = (await conn.execute(
                select(scored_events.c.rep_id, func.count()).where(scored_events.c.tenant_id == tid)
                .group_by(scored_events.c.rep_id)
            )).all()
            assert dict(left) == {"recent": len(recent)}
            oldest = (await conn.execute(select(func.min(scored_events.c.event_time)))).scalar_one()
            assert oldest is None or oldest >= now - timedelta(days=400)
            indexes = (await conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'scored_events' "
                "AND indexname = 'ix_scored_events_event_time'"))).scalars().all()
            assert indexes and "(event_time)" in indexes[0]  # the delete's lookup (migration 0008)
        assert await expire_ledger(settings, engine, now) == 0  # nothing left to do
    finally:
        await engine.dispose()


async def test_the_decay_refresh_walks_every_stored_score_and_lowers_idle_totals(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    """The sink re-reads stored totals with decay, page by page, from the first (tenant, rep) key."""
    from datetime import timedelta

    from shared.scoring import load_default_model

    model = load_default_model()
    engine = make_engine(stack.database_url, application_name="test-refresh", pool_size=1)
    tid = tenant["tenant_id"]
    long_ago = datetime.now(UTC) - timedelta(days=60)
    snaps = [
        ScoreSnapshot(tenant_id=tid, rep_id=f"idle-{i}", model_version=model.version, as_of=long_ago, seq=1, events=1,
                      pillars={"brand": 20.0, "people": 0.0, "insights": 0.0, "relationships": 0.0}, total=20.0,
                      basis={"anchor": long_ago.timestamp(), "values": {"brand": 80.0}})
        for i in range(3)
    ]
    try:
        async with engine.begin() as conn:
            await repository.upsert_current(conn, snaps)
        after, pages = repository.FIRST_REP_KEY, 0
        while after is not None:
            async with engine.begin() as conn:
                _, after = await repository.refresh_decay(conn, model, datetime.now(UTC), after, 2)
            pages += 1
        assert pages >= 2
        async with engine.connect() as conn:
            totals = (await conn.execute(select(rep_scores.c.total).where(rep_scores.c.tenant_id == tid))).scalars().all()
        assert len(totals) == 3 and all(t < 20.0 for t in totals)
    finally:
        await engine.dispose()


async def test_each_model_version_keeps_its_own_rows(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    """A new version's snapshots sit beside the old version's (migration 0012); each keeps newest-wins."""
    engine = make_engine(stack.database_url, application_name="test-sink-versions", pool_size=1)
    tid = tenant["tenant_id"]
    old, new = snapshot(tid, "switching", 7, 61.0), snapshot(tid, "switching", 3, 48.0)
    new = new.model_copy(update={"model_version": "m2"})
    try:
        async with engine.begin() as conn:
            await repository.upsert_current(conn, [old, new])
            await repository.upsert_daily(conn, [old, new])
        async with engine.begin() as conn:  # an older m2 snapshot changes nothing; a newer one wins in m2 only
            await repository.upsert_current(conn, [new.model_copy(update={"seq": 2, "total": 1.0})])
            await repository.upsert_current(conn, [new.model_copy(update={"seq": 4, "total": 50.0})])
        async with engine.connect() as conn:
            rows = dict((await conn.execute(
                select(rep_scores.c.model_version, rep_scores.c.total)
                .where(rep_scores.c.tenant_id == tid, rep_scores.c.rep_id == "switching")
            )).all())
            daily = (await conn.execute(
                select(func.count()).select_from(rep_score_daily)
                .where(rep_score_daily.c.tenant_id == tid, rep_score_daily.c.rep_id == "switching")
            )).scalar_one()
        assert rows == {"m1": 61.0, "m2": 50.0}
        assert daily == 2
    finally:
        await engine.dispose()
