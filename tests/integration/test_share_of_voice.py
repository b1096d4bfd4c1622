"""Brands and share of voice on the real stack: mentions go through ingest and the pipeline, count once, match
the declared brands ignoring case, and one tenant never sees another's brands or mentions."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import bearer, cloud_event

WAIT = 60
JSON = "application/json"


async def _wait_for_mentions(api, key: str, period: str, mentions: int, **params: str) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while True:
        answer = await api.get("/v1/share-of-voice", params={"period": period, **params}, headers=bearer(key))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen = sum(b["mentions"] for b in body["brands"]) + body["undeclared"]["mentions"]
        if seen >= mentions or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.3)


async def test_brands_are_declared_read_back_and_validated(api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    assert (await api.get("/v1/brands", headers=bearer(key))).status_code == 404
    first = await api.put("/v1/brands", json={"own": " Acme ", "competitors": ["Globex"]}, headers=bearer(key, JSON))
    assert first.status_code == 201 and first.json()["own"] == "Acme"
    again = await api.put("/v1/brands", json={"own": "Acme", "competitors": ["Globex", "Initech"]}, headers=bearer(key, JSON))
    assert again.status_code == 200
    read = (await api.get("/v1/brands", headers=bearer(key))).json()
    assert (read["own"], read["competitors"]) == ("Acme", ["Globex", "Initech"])
    for bad in ({"own": ""}, {"own": "Acme", "competitors": ["acme"]}, {"own": "A", "competitors": ["B", "b"]},
                {"own": "A", "competitors": [f"c{i}" for i in range(21)]}, {"competitors": []}, {"own": "A", "x": 1}):
        answer = await api.put("/v1/brands", json=bad, headers=bearer(key, JSON))
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("application/problem+json"), bad
    assert (await api.put("/v1/brands", content=b"own=A", headers=bearer(key, "text/plain"))).status_code == 415
    assert (await api.put("/v1/brands", json={"own": "A"})).status_code == 401


async def test_share_of_voice_counts_each_mention_once_per_tenant(api, ingest, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("sov-a"), tenant_factory("sov-b")
    now = datetime.now(UTC)
    today = now.date()
    period = f"{(today - timedelta(days=6)).isoformat()}/{today.isoformat()}"
    yesterday = now - timedelta(days=1)
    assert (await api.get("/v1/share-of-voice", params={"period": period}, headers=bearer(a["api_key"]))).status_code == 409
    await api.put("/v1/brands", json={"own": "Acme", "competitors": ["Globex", "Initech"]}, headers=bearer(a["api_key"], JSON))
    await api.put("/v1/brands", json={"own": "Globex", "competitors": ["Acme"]}, headers=bearer(b["api_key"], JSON))
    for rep, team in (("amp-east", "east"), ("amp-west", "west")):
        put = await api.put(f"/v1/reps/{rep}", json={"team": team}, headers=bearer(a["api_key"], JSON))
        assert put.status_code in (200, 201)

    said = [
        cloud_event("listener", "mention.received", source="x", time=yesterday, brand="Acme", reach=1000, sentiment=0.5),
        cloud_event("listener", "mention.received", source="x", time=yesterday, brand="acme", reach=1000),
        cloud_event("listener", "mention.received", source="linkedin", time=now - timedelta(minutes=5), brand="Acme", reach=3000),
        cloud_event("listener", "mention.received", source="x", time=yesterday, brand="Globex", reach=4000, sentiment=-1),
        cloud_event("listener", "mention.received", source="x", time=yesterday, brand="Hooli", reach=10),
        cloud_event("listener", "mention.received", source="x", time=now - timedelta(days=30), brand="Acme", reach=99),
        cloud_event("amp-east", "content.amplified", source="linkedin", time=yesterday, counterpart={"followers": 5000}),
        cloud_event("amp-east", "content.amplified", source="x", time=yesterday, counterpart={"followers": 50}),
        cloud_event("amp-west", "content.amplified", source="linkedin", time=yesterday, counterpart={"followers": 500}),
    ]
    for _ in range(2):  # retried deliveries count once
        assert (await ingest.post("/v1/events", json=said, headers=bearer(a["api_key"]))).status_code == 202
    theirs = [cloud_event("rival", "mention.received", source="x", time=yesterday, brand="Acme", reach=7777)]
    assert (await ingest.post("/v1/events", json=theirs, headers=bearer(b["api_key"]))).status_code == 202
    bad = [cloud_event("listener", "mention.received", source="x", brand="Acme")]
    refused = await ingest.post("/v1/events", json=bad, headers=bearer(a["api_key"]))
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/0/data/reach"

    body = await _wait_for_mentions(api, a["api_key"], period, 5)
    deadline = time.monotonic() + WAIT
    while body["amplification"]["amplifications"] < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        body = await _wait_for_mentions(api, a["api_key"], period, 5)
    await asyncio.sleep(1.5)  # the duplicates had their chance to land
    body = await _wait_for_mentions(api, a["api_key"], period, 5)
    brands = {x["brand"]: x for x in body["brands"]}
    assert (brands["Acme"]["mentions"], brands["Acme"]["reach"], brands["Acme"]["own"]) == (3, 5000.0, True)
    assert brands["Acme"]["share_of_voice"] == pytest.approx(5000 / 9000, abs=1e-4)
    assert brands["Acme"]["sentiment"] == 0.5 and brands["Globex"]["sentiment"] == -1.0
    assert (brands["Globex"]["mentions"], brands["Initech"]["mentions"]) == (1, 0)
    assert body["undeclared"] == {"mentions": 1, "reach": 10.0}
    assert {(r["platform"], r["brand"]): r["mentions"] for r in body["by_platform"]}[("linkedin", "Acme")] == 1
    assert {r["day"] for r in body["by_day"]} == {yesterday.date().isoformat(), (now - timedelta(minutes=5)).date().isoformat()}
    amp = body["amplification"]
    assert (amp["amplifications"], amp["reps"]) == (3, 2) and amp["reach_weighted"] > 0
    assert {r["platform"]: r["amplifications"] for r in amp["by_platform"]} == {"linkedin": 2, "x": 1}

    # the same figures as CSV rows, one per brand and scope, then the undeclared and the amplification
    as_csv = await api.get("/v1/share-of-voice", params={"period": period},
                           headers={**bearer(a["api_key"]), "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    period_rows = {r["brand"]: r for r in rows if r["scope"] == "period"}
    assert set(period_rows) == {"Acme", "Globex", "Initech"}
    assert (int(period_rows["Acme"]["mentions"]), float(period_rows["Acme"]["reach"])) == (3, 5000.0)
    assert len([r for r in rows if r["scope"] == "platform"]) == len(body["by_platform"])
    assert len([r for r in rows if r["scope"] == "day"]) == len(body["by_day"])
    assert [int(r["mentions"]) for r in rows if r["scope"] == "undeclared"] == [1]
    assert [int(r["amplifications"]) for r in rows if r["scope"] == "amplification"] == [3]
    assert {r["platform"]: int(r["amplifications"]) for r in rows if r["scope"] == "amplification_platform"} == {
        "linkedin": 2, "x": 1}

    east = (await api.get("/v1/share-of-voice", params={"period": period, "team": "east"}, headers=bearer(a["api_key"]))).json()
    assert (east["team"], east["amplification"]["amplifications"], east["amplification"]["reps"]) == ("east", 2, 1)
    assert east["brands"] == body["brands"]  # mentions are the tenant's, whatever the team

    # the other tenant sees its own declaration and its one mention, never these
    theirs_body = await _wait_for_mentions(api, b["api_key"], period, 1)
    assert {x["brand"]: x["mentions"] for x in theirs_body["brands"]} == {"Globex": 0, "Acme": 1}
    assert theirs_body["brands"][1]["reach"] == 7777.0 and theirs_body["amplification"]["amplifications"] == 0
    assert (await api.get("/v1/brands", headers=bearer(b["api_key"]))).json()["own"] == "Globex"


async def test_share_of_voice_refuses_bad_parameters(api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    await api.put("/v1/brands", json={"own": "Acme"}, headers=bearer(key, JSON))
    for params in ({"period": "2026-10-01"}, {}, {"period": "2026-10-01/2026-10-31", "team": ""}):
        answer = await api.get("/v1/share-of-voice", params=params, headers=bearer(key))
        assert answer.status_code == 400, (params, answer.text)
