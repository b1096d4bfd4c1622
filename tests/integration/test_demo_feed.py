"""The demo feed (`make run`'s) populates every screen: reps in teams, outcomes with quotas for the current
quarter, brands and mentions; targets are set, or logged and skipped where the api has no such route."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.conftest import ROOT
from tests.factories import bearer

sys.path.insert(0, str(ROOT / "deploy"))
import demo_feed  # noqa: E402

WAIT = 120


async def test_the_demo_feed_fills_validation_share_of_voice_and_teams(stack, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(ROOT / "deploy" / "demo_feed.py"), "--ingest", stack.ingest_url, "--api", stack.api_url,
         "--days", "3", "--once"],
        env={**stack.env(), "SSI_DEMO_API_KEY": key}, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for path in ["/v1/targets"] + [f"/v1/targets/{team}" for team in demo_feed.TEAMS]:
        answer = await api.get(path, headers=bearer(key))
        assert answer.status_code == 200 or f"PUT {path} answered 404" in done.stdout, (path, done.stdout[-500:])

    listed = (await api.get("/v1/reps", params={"limit": 200, "sort": "rep_id"}, headers=bearer(key))).json()["items"]
    assert len(listed) == 50 and {r["team"] for r in listed} == set(demo_feed.TEAMS)
    assert (await api.get("/v1/brands", headers=bearer(key))).json()["competitors"] == list(demo_feed.COMPETITORS)

    first, last = demo_feed.quarter(datetime.now(UTC).date())
    period = f"{first.isoformat()}/{last.isoformat()}"
    deadline = time.monotonic() + WAIT
    while True:
        validation = (await api.get("/v1/validation", params={"period": period}, headers=bearer(key))).json()
        voice = (await api.get("/v1/share-of-voice", params={"period": period}, headers=bearer(key))).json()
        total = (validation["tenant"]["score"] or {}).get("total") or {}
        mentioned = {b["brand"] for b in voice["brands"] if b["mentions"] > 0}
        if (total.get("n", 0) >= 30 and len(mentioned) == 3 and voice["amplification"]["amplifications"] > 0) \
                or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert validation["tenant"]["n"] == 50 and total["n"] >= 30 and total["rho"] is not None, validation["tenant"]
    assert {t["team"] for t in validation["teams"]} == set(demo_feed.TEAMS)
    assert mentioned == {demo_feed.OWN_BRAND, *demo_feed.COMPETITORS}
    assert voice["amplification"]["amplifications"] > 0
