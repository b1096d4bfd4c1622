"""GET /v1/validation on the real stack, with the worked example: where a latent skill drives both activity and
quota attainment the score's rank correlation with attainment is clearly positive; where attainment is random
it is not. Small cohorts are withheld with the reason, and one tenant never sees another's outcomes."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer
from tests.outcome_scenarios import Rep, activity, cohort, outcomes

WAIT = 180


async def _load(api: httpx.AsyncClient, ingest: httpx.AsyncClient, key: str, reps: list[Rep], period: tuple, now: datetime) -> dict[str, int]:  # type: ignore[type-arg]
    first, last = period
    events, counts = [], {}
    for rep in reps:
        answer = await api.put(f"/v1/reps/{rep.rep_id}", json={"team": rep.team}, headers=bearer(key, "application/json"))
        assert answer.status_code in (200, 201), answer.text
        mine = activity(rep, now - timedelta(minutes=2))
        counts[rep.rep_id] = len(mine)
        events += mine + outcomes(rep, first, last, now - timedelta(minutes=1), seed=7)
    for i in range(0, len(events), 500):
        sent = await ingest.post("/v1/events", json=events[i : i + 500], headers=bearer(key))
        assert sent.status_code == 202, sent.text
    return counts


async def _settled(api: httpx.AsyncClient, key: str, counts: dict[str, int], period: str, n: int) -> dict:
    for rep, events in counts.items():
        await wait_for_score(api, key, rep, events, timeout=WAIT)
    deadline = time.monotonic() + WAIT
    while True:
        answer = await api.get("/v1/validation", params={"period": period}, headers=bearer(key))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        total = (body["tenant"]["score"] or {}).get("total") or {}
        if total.get("n") == n or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.5)


async def test_skill_driven_outcomes_correlate_and_random_ones_do_not(api, ingest, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    first, last = (now - timedelta(days=27)).date(), now.date()
    period = f"{first.isoformat()}/{last.isoformat()}"
    skilled, chance, stranger = tenant_factory("valid-skill"), tenant_factory("valid-random"), tenant_factory("valid-none")
    teams = ("east", "west", "north")
    skilled_reps = cohort(30, teams, skill_drives_attainment=True, seed=1) + cohort(
        3, ("south",), skill_drives_attainment=True, seed=2, prefix="small")
    random_reps = cohort(30, teams, skill_drives_attainment=False, seed=3)
    skilled_counts = await _load(api, ingest, skilled["api_key"], skilled_reps, (first, last), now)
    random_counts = await _load(api, ingest, chance["api_key"], random_reps, (first, last), now)

    body = await _settled(api, skilled["api_key"], skilled_counts, period, 33)
    assert body["period"] == period and body["tenant"]["n"] == 33 and body["tenant"]["withheld"] is None
    assert body["quota_periods"] == [{"period": period, "reps": 33}]
    total = body["tenant"]["score"]["total"]
    assert total["n"] == 33 and total["rho"] > 0.6 and total["interval"][0] > 0.3, total
    assert total["interval"][0] <= total["rho"] <= total["interval"][1]
    assert set(body["tenant"]["score"]) == {"total", "brand", "people", "insights", "relationships"}
    assert body["tenant"]["activity_counts"]["total"]["n"] == 33
    assert 0.3 < body["tenant"]["attainment_median"] < 1.6
    by_team = {t["team"]: t for t in body["teams"]}
    assert sorted(by_team) == ["east", "north", "south", "west"]
    assert by_team["east"]["n"] == 10 and by_team["east"]["score"]["total"]["rho"] > 0
    assert by_team["south"]["n"] == 3 and "fewer than 10 reps" in by_team["south"]["withheld"]
    assert by_team["south"]["score"] is None
    # the same figures as CSV rows: one per cohort and measure, a withheld cohort one row
    as_csv = await api.get("/v1/validation", params={"period": period},
                           headers={**bearer(skilled["api_key"]), "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    tenant_total = next(r for r in rows if r["cohort"] == "tenant" and r["basis"] == "score" and r["measure"] == "total")
    assert float(tenant_total["rho"]) == total["rho"] and int(tenant_total["n"]) == 33
    assert (float(tenant_total["interval_low"]), float(tenant_total["interval_high"])) == tuple(total["interval"])
    assert len([r for r in rows if r["cohort"] == "tenant"]) == 10  # 5 score measures, 5 activity counts
    south = [r for r in rows if r["team"] == "south"]
    assert len(south) == 1 and south[0]["basis"] == "" and "fewer than 10 reps" in south[0]["cohort_withheld"]

    body = await _settled(api, chance["api_key"], random_counts, period, 30)
    total = body["tenant"]["score"]["total"]
    assert total["n"] == 30 and total["interval"][0] < 0 < total["interval"][1] and abs(total["rho"]) < 0.5, total

    # another tenant (and another period) sees none of these outcomes
    empty = (await api.get("/v1/validation", params={"period": period}, headers=bearer(stranger["api_key"]))).json()
    assert empty["tenant"]["n"] == 0 and empty["teams"] == [] and "fewer than 10" in empty["tenant"]["withheld"]
    assert empty["quota_periods"] == []
    other = f"{first.isoformat()}/{(last + timedelta(days=1)).isoformat()}"
    moved = (await api.get("/v1/validation", params={"period": other}, headers=bearer(skilled["api_key"]))).json()
    assert moved["tenant"]["n"] == 0  # a quota counts only for its own data.period


async def test_bad_periods_are_400_naming_the_parameter(api, tenant) -> None:  # type: ignore[no-untyped-def]
    for bad in ("2026-10-01", "2026-12-31/2026-10-01", "2026-10-01/2029-10-01", "0001-01-01/0001-02-01", "x/y"):
        answer = await api.get("/v1/validation", params={"period": bad}, headers=bearer(tenant["api_key"]))
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["pointer"] == "/query/period"
    assert (await api.get("/v1/validation", headers=bearer(tenant["api_key"]))).status_code == 400
    assert (await api.get("/v1/validation", params={"period": "2026-10-01/2026-12-31"})).status_code == 401
