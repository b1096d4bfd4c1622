"""A leaderboard walk stays consistent while scores change, on the real stack: scores made through the ingest,
Kafka, the scorer and the sink; between pages, reps' stored scores are changed as the sink writes them (its
decay refresh's UPDATE of rep_scores and its snapshot upsert), moving reps across the cursor both ways and
scoring a rep that had no score. Every rep appears exactly once in the walk, in the order of the first page's
snapshot; an expired cursor is answered 410."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from services.api.reading.leaderboard import Filters, Position, Sort, seal
from services.scorer.sink import repository as sink_repository
from shared.db.engine import make_engine
from shared.scores import ScoreSnapshot
from shared.settings import DEV_SECRET_KEY
from tests.factories import bearer, cloud_event

WHEN = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
SCORED = [f"walk-{i:02d}" for i in range(12)]
UNSCORED = ["walk-u1", "walk-u2"]
KINDS = ["post.published", "comment.posted", "meeting.booked", "message.replied", "connection.accepted"]


def _tenant(stack) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(stack.cli("tenant", "create", f"walk-{os.urandom(6).hex()}", "--json"))


@pytest.fixture(scope="module")
def walk_tenant(stack) -> dict:  # type: ignore[no-untyped-def]
    tenant = _tenant(stack)
    key = tenant["api_key"]
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        for rep in SCORED + UNSCORED:
            assert api.put(f"/v1/reps/{rep}", json={"name": rep, "team": "walkers"},
                           headers=bearer(key, "application/json")).status_code == 201
    events = [cloud_event(rep, KINDS[j % len(KINDS)], time=WHEN + timedelta(minutes=j))
              for i, rep in enumerate(SCORED) for j in range(i + 1)]
    with httpx.Client(base_url=stack.ingest_url, timeout=30) as ingest:
        assert ingest.post("/v1/events", content=json.dumps(events), headers=bearer(key)).status_code == 202
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(key)) as api:
        while True:
            items = api.get("/v1/reps", params={"limit": 200}).json()["items"]
            scored = {i["rep_id"]: i for i in items if i["total"] is not None}
            if len(scored) == len(SCORED) and all(scored[r]["as_of"] for r in SCORED):
                break
            assert time.monotonic() < deadline, f"only {len(scored)} of {len(SCORED)} reps scored"
            time.sleep(0.5)
    return tenant


async def _set_total(engine, tenant_id: str, rep: str, total: float) -> None:  # type: ignore[no-untyped-def]
    """What the sink's decay refresh writes: new totals and pillars of a stored score."""
    async with engine.begin() as conn:
        updated = await conn.execute(text(
            "UPDATE rep_scores SET total = CAST(:total AS float8), brand = CAST(:total AS float8) / 4, "
            "people = CAST(:total AS float8) / 4, insights = CAST(:total AS float8) / 4, "
            "relationships = CAST(:total AS float8) / 4, evaluated_at = now() WHERE tenant_id = :t AND rep_id = :r"),
            {"total": total, "t": tenant_id, "r": rep})
        assert updated.rowcount == 1


async def _first_score(engine, tenant_id: str, rep: str, like: str, total: float) -> None:  # type: ignore[no-untyped-def]
    """What the sink writes for a rep's first snapshot (its upsert), with another rep's state."""
    async with engine.begin() as conn:
        row = (await conn.execute(text("SELECT * FROM rep_scores WHERE tenant_id = :t AND rep_id = :r"),
                                  {"t": tenant_id, "r": like})).mappings().one()
        snapshot = ScoreSnapshot(tenant_id=tenant_id, rep_id=rep, model_version=row["model_version"],
                                 as_of=datetime.now(UTC), seq=1, events=1, total=total,
                                 pillars={p: total / 4 for p in ("brand", "people", "insights", "relationships")},
                                 basis=row["state"])
        await sink_repository.upsert_current(conn, [snapshot])


@pytest.mark.parametrize("sort", ["-total", "total", "people", "rep_id"])
async def test_each_rep_appears_once_in_a_walk_while_scores_change(stack, walk_tenant, sort: str) -> None:  # type: ignore[no-untyped-def]
    key, tid = walk_tenant["api_key"], walk_tenant["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-leaderboard-walk", pool_size=1)
    high, low = (99.9, 0.01) if sort.startswith("-") else (0.01, 99.9)  # ahead of the cursor, behind it
    moved_ahead, moved_behind = set(), set()
    try:
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=30, headers=bearer(key)) as api:
            # the order as of the walk's start, read in one page just before it
            whole = (await api.get("/v1/reps", params={"sort": sort, "limit": 200})).json()["items"]
            page = (await api.get("/v1/reps", params={"sort": sort, "limit": 3})).json()
            walk, unscored_left = list(page["items"]), list(UNSCORED)
            # a rep without a score gets its first one during the walk: it stays in the unscored part
            newly = unscored_left.pop(0) if sort == "-total" else None
            if newly:
                await _first_score(engine, tid, newly, SCORED[0], 99.5)
            while page["next_cursor"]:
                seen = {i["rep_id"] for i in walk}
                ahead = [i["rep_id"] for i in whole
                         if i["rep_id"] not in seen | moved_ahead and i["total"] is not None]
                behind = [i["rep_id"] for i in walk if i["rep_id"] in SCORED and i["rep_id"] not in moved_behind]
                # move a rep not yet listed before the cursor and one already listed after it (in the walk's
                # direction): without a pinned order the first would be missed and the second listed again
                if ahead:
                    moved_ahead.add(ahead[-1])
                    await _set_total(engine, tid, ahead[-1], high)
                if behind:
                    moved_behind.add(behind[0])
                    await _set_total(engine, tid, behind[0], low)
                page = (await api.get("/v1/reps", params={"sort": sort, "limit": 3,
                                                          "cursor": page["next_cursor"]})).json()
                walk += page["items"]
            ids = [i["rep_id"] for i in walk]
            assert sorted(ids) == sorted(SCORED + UNSCORED), ids  # each rep once
            # the walk is the order (and the values) of its start
            assert [(i["rep_id"], i["total"]) for i in walk] == [(i["rep_id"], i["total"]) for i in whole]
            assert len(moved_ahead) >= 3 and len(moved_behind) >= 3
            # the changes happened: a fresh read sees them
            now = {i["rep_id"]: i["total"] for i in
                   (await api.get("/v1/reps", params={"sort": sort, "limit": 200})).json()["items"]}
            assert all(now[r] == high for r in moved_ahead - moved_behind)
            assert all(now[r] == low for r in moved_behind)
            if newly:
                assert now[newly] == 99.5 and next(i for i in walk if i["rep_id"] == newly)["total"] is None
    finally:
        await engine.dispose()


def test_an_expired_cursor_is_answered_410_and_another_tenants_cursor_400(stack, walk_tenant) -> None:  # type: ignore[no-untyped-def]
    key, tid = walk_tenant["api_key"], walk_tenant["tenant_id"]
    secret = stack.env().get("SSI_SECRET_KEY", DEV_SECRET_KEY)
    old = int(time.time()) - 901  # SSI_API_CURSOR_SECONDS is 900 by default
    expired = seal(secret, tid, Sort.parse("-total"), Filters(), Position(0, 50.0, SCORED[0], "5:9:7", old))
    fresh = seal(secret, tid, Sort.parse("-total"), Filters(), Position(0, 50.0, SCORED[0], "5:9:7", old + 300))
    other = _tenant(stack)
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        got = api.get("/v1/reps", params={"cursor": expired}, headers=bearer(key))
        assert got.status_code == 410 and got.headers["content-type"].startswith("application/problem+json")
        assert got.json()["errors"][0]["pointer"] == "/query/cursor" and "start again" in got.json()["detail"]
        assert api.get("/v1/reps", params={"cursor": fresh}, headers=bearer(key)).status_code == 200
        # another tenant's key with this tenant's cursor: refused, never this tenant's reps
        refused = api.get("/v1/reps", params={"cursor": fresh}, headers=bearer(other["api_key"]))
        assert refused.status_code == 400
        mine = api.get("/v1/reps", params={"limit": 2}, headers=bearer(key)).json()["next_cursor"]
        assert api.get("/v1/reps", params={"cursor": mine, "limit": 2},
                       headers=bearer(other["api_key"])).status_code == 400
