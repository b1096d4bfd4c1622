"""The api's kept first leaderboard pages (services.api.reading.page_cache) on the real stack: a page is served
as kept only while nothing the page is made of changed for its tenant, so every read after a write, from any
service, shows it: a directory change (the api), a target (the api), a stored score (as the sink writes it).
Another tenant asking the same query gets its own page."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from services.api.reading.page_cache import CHANGED_SINCE
from shared.db.engine import make_engine
from tests.factories import bearer, cloud_event
from tests.integration.scored_tenant import scored_tenant

WHEN = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
REPS = [f"kept-{i:02d}" for i in range(6)]
ROUNDS = 6
QUERY = {"sort": "-total", "limit": 50}


def _tenant(stack) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(stack.cli("tenant", "create", f"kept-{os.urandom(6).hex()}", "--json"))


def _counted(api: httpx.Client, result: str) -> float:
    found = re.search(rf'^ssi_api_page_cache_total\{{result="{result}"\}} (\S+)$', api.get("/metrics").text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.fixture(scope="module")
def kept_tenant(stack) -> dict:  # type: ignore[no-untyped-def]
    events = [cloud_event(rep, "post.published", time=WHEN + timedelta(minutes=j))
              for i, rep in enumerate(REPS) for j in range(i + 1)]
    return scored_tenant(stack, "kept", {rep: {"name": rep, "team": "keepers"} for rep in REPS}, events)


def _warm(api: httpx.Client) -> dict:
    """Read the page a few times (each worker keeps its own) and return the last answer."""
    for _ in range(4):
        page = api.get("/v1/reps", params=QUERY)
        assert page.status_code == 200
    return page.json()


def test_a_kept_page_is_served_while_nothing_changed(stack, kept_tenant) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(kept_tenant["api_key"])) as api:
        hits = _counted(api, "hit")
        pages = [api.get("/v1/reps", params=QUERY) for _ in range(20)]
        assert _counted(api, "hit") > hits  # between two read-model passes of the sink, reads were served as kept
        assert all(p.status_code == 200 and p.headers["content-type"] == "application/json" for p in pages)
        items = [[{k: v for k, v in i.items() if k != "ranks"} for i in p.json()["items"]] for p in pages]
        assert all(i == items[0] for i in items)  # the ranks' as_of moves with each pass; nothing else did
        assert sorted(i["rep_id"] for i in items[0]) == REPS


def test_every_read_after_a_write_shows_it(stack, kept_tenant) -> None:  # type: ignore[no-untyped-def]
    key = kept_tenant["api_key"]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(key)) as api:
        stale = _counted(api, "stale")
        for n in range(ROUNDS):
            # the directory, through the api
            _warm(api)
            name = f"renamed {n}"
            assert api.put(f"/v1/reps/{REPS[0]}", json={"name": name, "team": "keepers"},
                           headers=bearer(key, "application/json")).status_code in (200, 201)
            item = next(i for i in api.get("/v1/reps", params=QUERY).json()["items"] if i["rep_id"] == REPS[0])
            assert item["name"] == name
            # the tenant's target, through the api
            _warm(api)
            milestone = {"score": 50 + n, "by": str((datetime.now(UTC) + timedelta(days=200)).date())}
            assert api.put("/v1/targets", json={"milestones": [milestone]},
                           headers=bearer(key, "application/json")).status_code in (200, 201)
            items = api.get("/v1/reps", params=QUERY).json()["items"]
            assert all(i["target"]["next"]["score"] == 50 + n for i in items)
        assert _counted(api, "stale") > stale  # kept pages were found out of date, not just missed


async def test_a_score_the_sink_writes_is_read_at_once(stack, kept_tenant) -> None:  # type: ignore[no-untyped-def]
    key, tid = kept_tenant["api_key"], kept_tenant["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-leaderboard-cache", pool_size=1)
    try:
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=30, headers=bearer(key)) as api:
            for n in range(ROUNDS):
                for _ in range(4):
                    assert (await api.get("/v1/reps", params=QUERY)).status_code == 200
                total = 90.0 + n  # first place, as the sink's decay refresh writes it
                async with engine.begin() as conn:
                    await conn.execute(text(
                        "UPDATE rep_scores SET total = CAST(:total AS float8), evaluated_at = now() "
                        "WHERE tenant_id = :t AND rep_id = :r"), {"total": total, "t": tid, "r": REPS[n % len(REPS)]})
                first = (await api.get("/v1/reps", params=QUERY)).json()["items"][0]
                assert (first["rep_id"], first["total"]) == (REPS[n % len(REPS)], total)
    finally:
        await engine.dispose()


def test_another_tenant_asking_the_same_gets_its_own_page(stack, kept_tenant) -> None:  # type: ignore[no-untyped-def]
    other = _tenant(stack)
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        _warm(httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(kept_tenant["api_key"])))
        assert api.put("/v1/reps/own-rep", json={"name": "own", "team": "keepers"},
                       headers=bearer(other["api_key"], "application/json")).status_code == 201
        for _ in range(4):
            items = api.get("/v1/reps", params=QUERY, headers=bearer(other["api_key"])).json()["items"]
            assert [i["rep_id"] for i in items] == ["own-rep"]


async def test_the_writes_log_says_which_tenant_changed_after_a_snapshot(stack) -> None:  # type: ignore[no-untyped-def]
    """CHANGED_SINCE itself: a write committed after the snapshot, or in progress then and committed since,
    counts for its tenant only; one not committed yet does not count; a snapshot taken after the commit sees it. (Tenants without scored reps: the sink's passes
    write nothing of theirs.)"""
    changing, quiet = _tenant(stack)["tenant_id"], _tenant(stack)["tenant_id"]
    engine = make_engine(stack.database_url, application_name="test-read-model-writes", pool_size=2)
    read = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def changed(tenant: str, snapshot: str) -> bool:
        async with read.connect() as conn:
            raw = await conn.get_raw_connection()
            return await raw.driver_connection.fetchval(CHANGED_SINCE, tenant, snapshot)

    async def snapshot() -> str:
        async with read.connect() as conn:
            return (await conn.execute(text("SELECT CAST(pg_current_snapshot() AS text)"))).scalar_one()

    try:
        before = await snapshot()
        assert not await changed(changing, before) and not await changed(quiet, before)
        async with engine.connect() as writer:
            await writer.execute(text("INSERT INTO reps (tenant_id, rep_id, name) VALUES (:t, 'new-rep', 'New')"),
                                 {"t": changing})
            during = await snapshot()
            # not committed yet: a fresh read would not see it either, so a kept page is still current
            assert not await changed(changing, before) and not await changed(changing, during)
            await writer.commit()
        after = await snapshot()
        assert await changed(changing, before) and await changed(changing, during)
        assert not await changed(changing, after)
        assert not await changed(quiet, before)
    finally:
        await engine.dispose()
