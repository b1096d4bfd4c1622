"""The sink's read models on the real Postgres: cohort counts as the live rank counts them, a trend fitted
over the daily points, team aggregates (directory reps without a score count as 0), explanations for the
current snapshot, and nothing of another tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from services.api import repository
from services.scorer.sink import read_models
from services.scorer.sink import repository as sink_repository
from shared.db.engine import make_engine
from shared.db.schema import rep_score_daily, rep_standings, reps, team_daily, team_stats
from shared.scoring import load_default_model
from tests.integration.test_sink_repository import snapshot

MODEL = load_default_model()


async def test_standings_match_the_live_counts_and_teams_aggregate_their_members(stack, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    mine, other = tenant_factory("rm"), tenant_factory("rm-other")
    tid, oid = mine["tenant_id"], other["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-read-models", pool_size=1)
    industry = f"rm-{tid[:8]}"
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(reps), [
                *({"tenant_id": tid, "rep_id": f"r{i}", "team": "a/b", "industry": industry} for i in range(4)),
                {"tenant_id": tid, "rep_id": "idle", "team": "a/b", "industry": industry},  # no score: counts 0
                {"tenant_id": tid, "rep_id": "solo", "team": None, "industry": None},
                *({"tenant_id": oid, "rep_id": f"o{i}", "team": "a/b", "industry": industry} for i in range(3)),
            ])
            await sink_repository.upsert_current(conn, [snapshot(tid, f"r{i}", 1, 5.0 * (i + 1)) for i in range(4)]
                                                 + [snapshot(tid, "solo", 1, 12.0)]
                                                 + [snapshot(oid, f"o{i}", 1, 8.0 * i) for i in range(3)])
            # another model version's row of r1 (kept apart, migration 0012): no read model counts it
            await sink_repository.upsert_current(conn, [snapshot(tid, "r1", 1, 99.0).model_copy(update={"model_version": "m0"})])
            today = datetime.now(UTC).date()
            await conn.execute(insert(rep_score_daily), [  # r0: 2 points a day over the last 3 days
                {"tenant_id": tid, "rep_id": "r0", "day": today - timedelta(days=d), "brand": 5.0 - 2 * d,
                 "people": 0.0, "insights": 0.0, "relationships": 0.0, "total": 5.0 - 2 * d, "state": {},
                 "model_version": "m1", "as_of": datetime.now(UTC), "seq": 1, "events": 1} for d in (1, 2)])
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            await read_models.refresh_standings(conn, now, trends=True, model_version="m1")
            await read_models.refresh_teams(conn, now, model_version="m1")
            # read in the same transaction: the running sink's own passes (of the active version, which these
            # m1 rows are not) wait on the rows written here instead of removing them under the reads
            standings = {r.rep_id: r for r in (await conn.execute(
                select(rep_standings).where(rep_standings.c.tenant_id == tid))).all()}
            assert set(standings) == {"r0", "r1", "r2", "r3", "solo"}  # scored reps only
            for rep_id, row in standings.items():
                rep = await repository.get_rep(conn, tid, rep_id)
                assert (row.team_below, row.team_size) == (
                    await repository.rank_counts(conn, row.total, "team", tid, rep, model_version="m1") or (None, None))
                assert (row.tenant_below, row.tenant_size) == await repository.rank_counts(conn, row.total, "tenant", tid, rep, model_version="m1")
                if rep["industry"]:
                    assert (row.industry_below, row.industry_size, row.industry_tenants) == \
                        await repository.industry_counts(conn, row.total, tid, industry, model_version="m1")
                else:
                    assert row.industry_size is None
            assert standings["r1"].total == 10.0  # m1's, not m0's 99
            assert standings["r3"].team_below == 4 and standings["r3"].team_size == 5  # above 3 reps and "idle"
            assert standings["r3"].industry_below == 3 and standings["r3"].industry_tenants == 1
            assert abs(standings["r0"].trend_per_day - 2.0) < 1e-6 and standings["r0"].trend_days == 3
            assert standings["r1"].trend_per_day is None and standings["r1"].trend_days == 1
            team = (await conn.execute(select(team_stats).where(team_stats.c.tenant_id == tid))).one()
            assert (team.team, team.size, team.scored) == ("a/b", 5, 4)
            assert team.totals == [0.0, 5.0, 10.0, 15.0, 20.0]
            assert team.stats["total"] == {"mean": 10.0, "median": 10.0, "p90": 18.0}
            assert abs(team.trend_per_day - 2.0 / 5) < 1e-6  # mean of the members' trends, none counting 0
            other_team = (await conn.execute(select(team_stats).where(team_stats.c.tenant_id == oid))).one()
            assert other_team.totals == [0.0, 8.0, 16.0]
            daily = (await conn.execute(select(team_daily).where(team_daily.c.tenant_id == tid))).all()
            assert [(d.team, d.day, d.size) for d in daily] == [("a/b", now.date(), 5)]

        async with engine.begin() as conn:  # a team emptied in the directory goes at the next pass
            await conn.execute(text("UPDATE reps SET team = 'c' WHERE tenant_id = :t"), {"t": tid})
            later = datetime.now(UTC)
            await read_models.refresh_standings(conn, later, trends=False, model_version="m1")
            await read_models.refresh_teams(conn, later, model_version="m1")
            teams = (await conn.execute(select(team_stats.c.team).where(team_stats.c.tenant_id == tid))).scalars().all()
            assert teams == ["c"]
    finally:
        await engine.dispose()


async def test_explanations_follow_the_current_snapshot(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    tid = tenant["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-read-models", pool_size=1)
    basis = {"anchor": datetime.now(UTC).timestamp(), "values": {}}
    try:
        async with engine.begin() as conn:
            shot = snapshot(tid, "explained", 3, 0.0).model_copy(update={"model_version": MODEL.version, "basis": basis})
            await sink_repository.upsert_current(conn, [shot])
        async with engine.begin() as conn:
            assert await read_models.refresh_explanations(conn, MODEL, datetime.now(UTC), limit=100_000,
                                                          max_age=timedelta(hours=1)) >= 1
            assert (await read_models.explained_reps(conn, tid)) == {"explained": 3}
            # nothing new for this rep: not computed again
            await read_models.refresh_explanations(conn, MODEL, datetime.now(UTC), limit=100_000, max_age=timedelta(hours=1))
            computed = (await conn.execute(text("SELECT computed_at FROM rep_explanations WHERE tenant_id = :t"),
                                           {"t": tid})).scalar_one()
        async with engine.begin() as conn:
            await sink_repository.upsert_current(conn, [shot.model_copy(update={"seq": 4})])
        async with engine.begin() as conn:
            await read_models.refresh_explanations(conn, MODEL, datetime.now(UTC), limit=100_000, max_age=timedelta(hours=1))
            assert (await read_models.explained_reps(conn, tid)) == {"explained": 4}
            again = (await conn.execute(text("SELECT computed_at FROM rep_explanations WHERE tenant_id = :t"),
                                        {"t": tid})).scalar_one()
            assert again > computed
    finally:
        await engine.dispose()




async def test_a_pass_rewrites_only_the_standings_that_moved(stack, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    """Counting again what did not move writes nothing (no row, no read_model_writes entry for the api's page
    cache); a changed score rewrites the rows whose counts it moved, with the pass's time, and no other."""
    tid = tenant_factory("rm-moved")["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-read-models-moved", pool_size=1)
    logged = text("SELECT count(*) FROM read_model_writes WHERE tenant_id = :t")
    try:
        # one transaction throughout: the running sink's passes (of the active version; these rows are m1) wait
        async with engine.begin() as conn:
            await conn.execute(insert(reps), [{"tenant_id": tid, "rep_id": f"m{i}", "team": "t"} for i in range(4)])
            await sink_repository.upsert_current(conn, [snapshot(tid, f"m{i}", 1, 10.0 * (i + 1)) for i in range(4)])
            first = datetime.now(UTC) - timedelta(seconds=30)
            await read_models.refresh_standings(conn, first, trends=True, model_version="m1")
            before = (await conn.execute(logged, {"t": tid})).scalar_one()
            await read_models.refresh_standings(conn, first + timedelta(seconds=10), trends=True, model_version="m1")
            assert (await conn.execute(logged, {"t": tid})).scalar_one() == before  # nothing moved: nothing written
            # m0 overtakes everyone: its own row and the three it passed move; nothing else
            await sink_repository.upsert_current(conn, [snapshot(tid, "m0", 2, 95.0)])
            later = first + timedelta(seconds=20)
            await read_models.refresh_standings(conn, later, trends=False, model_version="m1")
            assert (await conn.execute(logged, {"t": tid})).scalar_one() > before
            rows = {r.rep_id: r for r in (await conn.execute(
                select(rep_standings).where(rep_standings.c.tenant_id == tid))).all()}
            assert rows["m0"].team_below == 3 and rows["m0"].refreshed_at == later
            assert all(rows[r].refreshed_at == later for r in ("m1", "m2", "m3"))  # each one lower now
            await sink_repository.upsert_current(conn, [snapshot(tid, "m3", 2, 41.0)])  # moves no count, only m3's total
            last = later + timedelta(seconds=10)
            await read_models.refresh_standings(conn, last, trends=False, model_version="m1")
            rows = {r.rep_id: r for r in (await conn.execute(
                select(rep_standings).where(rep_standings.c.tenant_id == tid))).all()}
            assert rows["m3"].refreshed_at == last and rows["m3"].total == 41.0
            assert all(rows[r].refreshed_at == later for r in ("m0", "m1", "m2"))
            await conn.rollback()
    finally:
        await engine.dispose()
