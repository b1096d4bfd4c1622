"""The daily history's growth bound on the real Postgres: rows of days older than
SSI_SINK_HISTORY_RETENTION_DAYS go in batches; recent ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from services.scorer.sink import repository
from services.scorer.sink.__main__ import expire_history
from services.scorer.sink.config import SinkSettings
from shared.db.engine import make_engine
from shared.db.schema import rep_score_daily
from shared.scores import ScoreSnapshot


def snapshot(tenant_id: str, rep: str, as_of: datetime) -> ScoreSnapshot:
    return ScoreSnapshot(
        tenant_id=tenant_id, rep_id=rep, model_version="m1", as_of=as_of, seq=1, events=1,
        pillars={"brand": 1.0, "people": 0.0, "insights": 0.0, "relationships": 0.0}, total=1.0,
        basis={"anchor": as_of.timestamp(), "values": {"brand": 1.0}},
    )


async def test_daily_history_older_than_the_retention_is_deleted_in_batches(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    settings = SinkSettings(**{"SSI_ENV": "test", "SSI_DATABASE_URL": stack.database_url},
                            history_retention_days=100, ledger_expiry_batch=2)
    assert SinkSettings(**{"SSI_ENV": "test"}).history_retention_days == 731  # the default
    engine = make_engine(stack.database_url, application_name="test-history-retention", pool_size=1)
    tid, now = tenant["tenant_id"], datetime.now(UTC)
    old_days, recent_days = [101, 102, 150, 400, 2000], [0, 1, 50, 99]
    try:
        async with engine.begin() as conn:
            await repository.upsert_daily(conn, [snapshot(tid, f"old-{d}", now - timedelta(days=d)) for d in old_days]
                                          + [snapshot(tid, f"new-{d}", now - timedelta(days=d)) for d in recent_days])
        assert await expire_history(settings, engine, now) >= len(old_days)  # other tenants' old rows may go too
        async with engine.connect() as conn:
            left = (await conn.execute(select(rep_score_daily.c.rep_id).where(rep_score_daily.c.tenant_id == tid))
                    ).scalars().all()
            assert sorted(left) == sorted(f"new-{d}" for d in recent_days)
            oldest = (await conn.execute(select(func.min(rep_score_daily.c.day)))).scalar_one()
            assert oldest >= (now - timedelta(days=100)).date()
        assert await expire_history(settings, engine, now) == 0
    finally:
        await engine.dispose()
