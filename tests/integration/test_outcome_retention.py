"""The growth bound of the tables that grow with time besides the ledger and the daily history, on the real
Postgres: CRM outcomes and brand mentions older than their retention (by event time), teams' daily points older
than theirs (by day), the walk log (rep_score_changes) and the read-model writes log (read_model_writes) older
than their half hour go in batches; recent rows stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from services.scorer.sink.__main__ import expire_others
from services.scorer.sink.config import SinkSettings
from shared.db.engine import make_engine
from shared.db.schema import brand_mentions, crm_outcomes, read_model_writes, rep_score_changes, team_daily


async def test_outcomes_mentions_team_days_and_walk_log_expire_in_batches(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    settings = SinkSettings(**{"SSI_ENV": "test", "SSI_DATABASE_URL": stack.database_url},
                            outcomes_retention_days=100, mentions_retention_days=30, team_history_retention_days=60,
                            walk_log_seconds=600, ledger_expiry_batch=2)
    defaults = SinkSettings(**{"SSI_ENV": "test"})
    assert (defaults.outcomes_retention_days, defaults.mentions_retention_days, defaults.team_history_retention_days,
            defaults.walk_log_seconds) == (731, 400, 731, 1800.0)
    engine = make_engine(stack.database_url, application_name="test-outcome-retention", pool_size=1)
    tid, now = tenant["tenant_id"], datetime.now(UTC)
    outcome_days = {"old": [101, 150, 400, 2000, 5000], "new": [0, 1, 99]}
    mention_days = {"old": [31, 32, 90, 365], "new": [0, 29]}
    team_days = {"old": [61, 62, 63, 500], "new": [0, 1, 59]}
    walk_seconds = {"old": [601, 900, 7200], "new": [0, 300, 590]}
    try:
        async with engine.begin() as conn:
            await conn.execute(crm_outcomes.insert(), [
                {"tenant_id": tid, "source": "crm", "event_id": f"{age}-{d}", "rep_id": f"{age}-{d}", "type": "deal.won",
                 "event_time": now - timedelta(days=d), "amount": 1.0}
                for age, days in outcome_days.items() for d in days])
            await conn.execute(brand_mentions.insert(), [
                {"tenant_id": tid, "source": "x", "event_id": f"{age}-{d}", "rep_id": f"{age}-{d}", "brand": "Acme",
                 "reach": 1.0, "event_time": now - timedelta(days=d)}
                for age, days in mention_days.items() for d in days])
            await conn.execute(team_daily.insert(), [
                {"tenant_id": tid, "team": f"{age}-{d}", "day": (now - timedelta(days=d)).date(), "size": 1,
                 "stats": {}, "refreshed_at": now}
                for age, days in team_days.items() for d in days])
            await conn.execute(rep_score_changes.insert(), [
                {"tenant_id": tid, "rep_id": f"{age}-{s}", "model_version": "m1",
                 "changed_at": now - timedelta(seconds=s)}
                for age, seconds in walk_seconds.items() for s in seconds])
            await conn.execute(read_model_writes.insert(), [
                {"tenant_id": tid, "xid": 1, "written_at": now - timedelta(seconds=s)}
                for seconds in walk_seconds.values() for s in seconds])
        deleted = await expire_others(settings, engine, now)
        # other tenants' old rows (other tests) may go too
        assert deleted["crm_outcomes"] >= 5 and deleted["brand_mentions"] >= 4
        assert deleted["team_daily"] >= 4 and deleted["rep_score_changes"] >= 3 and deleted["read_model_writes"] >= 3
        async with engine.connect() as conn:
            for table, key, plan in ((crm_outcomes, "rep_id", outcome_days), (brand_mentions, "rep_id", mention_days),
                                     (team_daily, "team", team_days), (rep_score_changes, "rep_id", walk_seconds)):
                left = (await conn.execute(select(table.c[key]).where(table.c.tenant_id == tid))).scalars().all()
                assert sorted(left) == sorted(f"new-{d}" for d in plan["new"]), table.name
            left = (await conn.execute(select(read_model_writes.c.written_at)
                                       .where(read_model_writes.c.tenant_id == tid))).scalars().all()
            assert sorted(left) == sorted(now - timedelta(seconds=s) for s in walk_seconds["new"])
            oldest = (await conn.execute(select(func.min(crm_outcomes.c.event_time)))).scalar_one()
            assert oldest >= now - timedelta(days=100)
            oldest = (await conn.execute(select(func.min(brand_mentions.c.event_time)))).scalar_one()
            assert oldest >= now - timedelta(days=30)
        assert await expire_others(settings, engine, now) == {
            "crm_outcomes": 0, "brand_mentions": 0, "team_daily": 0, "rep_score_changes": 0, "read_model_writes": 0}
    finally:
        await engine.dispose()
