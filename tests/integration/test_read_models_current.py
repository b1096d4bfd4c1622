"""services.api.reading.read_models.current, sent on the driver's connection, gives the row SQLAlchemy's
execution of the same statement gives, on the real Postgres: every column, its value and its type, for a rep
with a directory entry, standing, explanation, team target and tenant target, for one with none of them, and
None for a rep without a score (and for another tenant's rep)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from services.api.reading import read_models
from services.scorer.sink import read_models as sink_read_models
from services.scorer.sink import repository as sink_repository
from shared.db.engine import make_engine
from shared.db.schema import rep_explanations, reps, targets
from tests.integration.test_sink_repository import snapshot


async def test_the_driver_read_gives_sqlalchemys_row(stack, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    tid, other = tenant_factory("current")["tenant_id"], tenant_factory("current-other")["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-read-current", pool_size=1)
    try:
        # one transaction (the running sink's passes of the active version, which m1 is not, wait on it)
        async with engine.begin() as conn:
            await conn.execute(insert(reps), [
                {"tenant_id": tid, "rep_id": "full", "name": "Full", "team": "a/b", "industry": "software"},
                {"tenant_id": tid, "rep_id": "bare-dir", "name": None, "team": None, "industry": None},
            ])
            await sink_repository.upsert_current(conn, [snapshot(tid, "full", 3, 42.5), snapshot(tid, "lone", 1, 7.0),
                                                        snapshot(tid, "bare-dir", 2, 12.0)])
            await sink_read_models.refresh_standings(conn, datetime.now(UTC), trends=True, model_version="m1")
            await conn.execute(insert(rep_explanations), [{
                "tenant_id": tid, "rep_id": "full", "model_version": "m1", "seq": 3, "computed_at": datetime.now(UTC),
                "explanation": {"window_days": 30, "top": [{"type": "post.published", "points": 1.5}]}}])
            await conn.execute(insert(targets), [
                {"tenant_id": tid, "team": "", "milestones": [{"score": 70, "by": "2027-06-01"}]},
                {"tenant_id": tid, "team": "a/b", "milestones": [{"score": 80, "by": "2027-12-01"}]}])
            for rep in ("full", "lone", "bare-dir"):
                params = {"tenant_id": tid, "rep_id": rep, "model_version": "m1"}
                via_sqlalchemy = dict((await conn.execute(read_models._current_statement(), params)).mappings().one())
                via_driver = await read_models.current(conn, tid, rep, model_version="m1")
                assert via_driver == via_sqlalchemy, rep
                assert {k: type(v) for k, v in via_driver.items()} == {k: type(v) for k, v in via_sqlalchemy.items()}
            full = await read_models.current(conn, tid, "full", model_version="m1")
            assert full["milestones"] == [{"score": 80, "by": "2027-12-01"}] and full["explanation"]["window_days"] == 30
            assert full["name"] == "Full" and full["team_size"] is not None
            assert (await read_models.current(conn, tid, "bare-dir", model_version="m1"))["milestones"] == [
                {"score": 70, "by": "2027-06-01"}]
            assert await read_models.current(conn, tid, "nobody", model_version="m1") is None
            assert await read_models.current(conn, tid, "full", model_version="m0") is None
            assert await read_models.current(conn, other, "full", model_version="m1") is None
            await conn.rollback()
    finally:
        await engine.dispose()
