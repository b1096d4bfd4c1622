"""The scoring model's guarantees through Kafka and Faust: order-free, duplicate-proof, late events at their
own time, unknown types dead-lettered with a reason, explanations, point-in-time reads and ranks."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import orjson
from aiokafka import AIOKafkaConsumer

from shared import topics
from shared.scoring import PILLARS, RepState, apply_event, evaluate, load_default_model
from tests.e2e.helpers import ranked_after, wait_for_ledger, wait_for_score
from tests.factories import bearer, cloud_event
from tests.scenarios import BALANCED_WEEK, GAMER_DAY, days_of, weeks_of

MODEL = load_default_model()
TYPES = sorted(MODEL.activities)


def pure_score(events: list[dict], at: datetime):  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, e in enumerate(events):
        state = apply_event(
            MODEL, state, event_type=e["type"], source=e["source"],
            event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq, data=e.get("data"),
        )
    return evaluate(MODEL, state, at.timestamp())


async def post(ingest, key: str, events: list[dict]) -> None:  # type: ignore[no-untyped-def]
    for i in range(0, len(events), 300):
        response = await ingest.post("/v1/events", json=events[i : i + 300], headers=bearer(key))
        assert response.status_code == 202, response.text


async def test_any_order_and_any_number_of_deliveries_give_the_same_score(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    now = datetime.now(UTC)
    events = [
        cloud_event("ordered-rep", rng.choice(TYPES), source=rng.choice(["linkedin", "x", "hubspot", "tiktok"]),
                    time=now - timedelta(hours=rng.uniform(1, 24 * 25)),
                    counterpart={"is_decision_maker": rng.random() < 0.4, "followers": rng.randrange(10**6)})
        for _ in range(150)
    ]
    in_order, shuffled = tenant_factory("in-order"), tenant_factory("shuffled")
    await post(ingest, in_order["api_key"], sorted(events, key=lambda e: e["time"]))
    messy = events + rng.sample(events, 60)  # 60 re-deliveries, in a random order, in several requests
    rng.shuffle(messy)
    await post(ingest, shuffled["api_key"], messy)

    at = (now - timedelta(minutes=30)).isoformat()
    a = await wait_for_ledger(api, in_order["api_key"], "ordered-rep", at, len(events))
    b = await wait_for_ledger(api, shuffled["api_key"], "ordered-rep", at, len(events))
    assert a["events"] == b["events"] == len(events)
    assert a["pillars"] == b["pillars"] and a["total"] == b["total"]  # same instant: exactly the same reading
    assert a["pillars"] == pure_score(events, datetime.fromisoformat(at)).pillars
    live_a = await wait_for_score(api, in_order["api_key"], "ordered-rep", len(events))
    live_b = await wait_for_score(api, shuffled["api_key"], "ordered-rep", len(events))
    assert live_a["events"] == live_b["events"] == len(events)  # the live state counted each event once
    for p in PILLARS:
        assert abs(live_a["pillars"][p] - live_b["pillars"][p]) <= 0.011


async def test_a_point_in_time_read_applies_decay_up_to_it_and_ignores_later_events(ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    old = cloud_event("timed-rep", "meeting.booked", source="hubspot", time=now - timedelta(days=10))
    recent = cloud_event("timed-rep", "post.published", time=now - timedelta(hours=2))
    await post(ingest, tenant["api_key"], [recent, old])  # the older one arrives last: a late event
    key = tenant["api_key"]
    await wait_for_score(api, key, "timed-rep", 2)
    at = (now - timedelta(days=3)).isoformat()
    first = await wait_for_ledger(api, key, "timed-rep", at, 1)
    again = (await api.get("/v1/reps/timed-rep/score", params={"at": at}, headers=bearer(key))).json()
    assert first == again  # two reads of the same instant compare exactly
    assert first["events"] == 1 and first["pillars"]["brand"] == 0  # the post came later: ignored
    assert first["pillars"] == pure_score([old], datetime.fromisoformat(at)).pillars
    assert first["ranks"] is None
    later = (await api.get("/v1/reps/timed-rep/score", params={"at": (now - timedelta(days=1)).isoformat()},
                           headers=bearer(key))).json()
    assert later["pillars"]["relationships"] < first["pillars"]["relationships"]  # decayed in between
    future = await api.get("/v1/reps/timed-rep/score", params={"at": (now + timedelta(days=1)).isoformat()},
                           headers=bearer(key))
    assert future.status_code == 400 and "future" in future.json()["detail"]
    naive = await api.get("/v1/reps/timed-rep/score", params={"at": "2026-01-01T00:00:00"}, headers=bearer(key))
    assert naive.status_code == 400


async def test_explanations_name_platform_and_type_and_what_changed_since_yesterday(ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    events = [cloud_event("explained", "comment.posted", time=now - timedelta(hours=h)) for h in (2, 3, 4)]
    events += [cloud_event("explained", "meeting.booked", source="hubspot", time=now - timedelta(days=3))]
    await post(ingest, tenant["api_key"], events)
    score = await wait_for_score(api, tenant["api_key"], "explained", len(events))
    listed = {(c["pillar"], c["source"], c["type"]): c for c in score["explanation"]["contributions"]}
    assert set(listed) == {("insights", "linkedin", "comment.posted"), ("relationships", "hubspot", "meeting.booked")}
    assert listed[("insights", "linkedin", "comment.posted")]["events"] == 3
    change = score["explanation"]["change_since_yesterday"]
    assert change["pillars"]["insights"] > 0 and change["pillars"]["relationships"] < 0  # new comments; decay
    assert abs(change["total"] - sum(change["pillars"].values())) < 0.05


async def test_unknown_types_are_dead_lettered_with_their_reason(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    odd = cloud_event("odd-rep", "telepathy.used")
    await post(ingest, tenant["api_key"], [odd, cloud_event("odd-rep", "post.published")])
    await wait_for_score(api, tenant["api_key"], "odd-rep", 1)
    consumer = AIOKafkaConsumer(topics.DEAD_LETTER, bootstrap_servers=stack.kafka_bootstrap,
                                auto_offset_reset="earliest", group_id=f"test-{uuid.uuid4().hex}")
    await consumer.start()
    found = None
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while found is None and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for record in (r for part in batch.values() for r in part):
                letter = orjson.loads(record.value)
                if letter["key"] == topics.rep_key(tenant["tenant_id"], "odd-rep"):
                    found = letter
    finally:
        await consumer.stop()
    assert found is not None, "no dead letter for the unknown type"
    assert "telepathy.used" in found["reason"] and found["stage"] == "scorer"
    assert found["origin"].startswith(f"{topics.ACTIVITY}[")
    metrics = (await api.get(f"http://127.0.0.1:{stack.scorer_port}/metrics")).text
    assert 'ssi_scorer_events_total{outcome="unknown_type"}' in metrics


async def test_a_gamer_scores_lower_than_a_balanced_rep_end_to_end(ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC) - timedelta(minutes=10)
    gamer = days_of("gamer", GAMER_DAY, 7, now)
    balanced = weeks_of("balanced", BALANCED_WEEK, 1, now)
    await post(ingest, tenant["api_key"], gamer + balanced)
    g = await wait_for_score(api, tenant["api_key"], "gamer", len(gamer), timeout=120)
    b = await wait_for_score(api, tenant["api_key"], "balanced", len(balanced))
    assert g["total"] < b["total"], (g["total"], b["total"])


async def test_ranks_within_team_tenant_and_industry_are_withheld_below_ten(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    industry = f"industry-{uuid.uuid4().hex[:8]}"
    big, small = tenant_factory("ranks-big"), tenant_factory("ranks-small")
    now = datetime.now(UTC)
    for i in range(10):  # 10 reps, rep i does i+1 comments: a strict order
        rep = f"ranked-{i}"
        body = {"name": f"Rep {i}", "team": "alpha", "industry": industry.upper()}
        created = await api.put(f"/v1/reps/{rep}", json=body, headers=bearer(big["api_key"]))
        assert created.status_code == 201, created.text
        await post(ingest, big["api_key"], [cloud_event(rep, "comment.posted", time=now - timedelta(hours=h + 1))
                                           for h in range(i + 1)])
    for i in range(3):
        rep = f"small-{i}"
        await api.put(f"/v1/reps/{rep}", json={"team": "beta", "industry": industry}, headers=bearer(small["api_key"]))
        await post(ingest, small["api_key"], [cloud_event(rep, "post.published")])
    top = await wait_for_score(api, big["api_key"], "ranked-9", 10)
    bottom = await wait_for_score(api, big["api_key"], "ranked-0", 1)
    for i in range(1, 9):
        await wait_for_score(api, big["api_key"], f"ranked-{i}", i + 1)
    scored = datetime.now(UTC)  # ranks are counted by the sink's read-model pass: wait for one after this
    top = await ranked_after(api, big["api_key"], "ranked-9", scored)
    bottom = await ranked_after(api, big["api_key"], "ranked-0", scored)
    assert top["ranks"]["team"]["percentile"] == 100 and bottom["ranks"]["team"]["percentile"] == 0
    assert top["ranks"]["tenant"]["percentile"] == 100
    for i in range(3):
        await wait_for_score(api, small["api_key"], f"small-{i}", 1)
    small_score = await ranked_after(api, small["api_key"], "small-0", datetime.now(UTC))
    assert small_score["ranks"]["team"] == {"percentile": None, "withheld": "cohort smaller than 10"}
    assert small_score["ranks"]["tenant"]["withheld"] == "cohort smaller than 10"
    # the industry counts other tenants' reps only, and needs 10 of them from 3 tenants: one other tenant is not enough
    assert small_score["ranks"]["industry"]["percentile"] is None
    assert "other tenants" in small_score["ranks"]["industry"]["withheld"]
    again = await api.put("/v1/reps/ranked-0", json={"team": "alpha", "industry": industry},
                          headers=bearer(big["api_key"]))
    assert again.status_code == 200 and again.json()["industry"] == industry
    other = await api.get("/v1/reps/ranked-0", headers=bearer(small["api_key"]))
    assert other.status_code == 404  # the directory is per tenant


async def test_the_model_endpoint_shows_which_pillar_each_source_and_type_feeds(api, tenant) -> None:  # type: ignore[no-untyped-def]
    body = (await api.get("/v1/model", headers=bearer(tenant["api_key"]))).json()
    assert body["version"] == MODEL.version
    feeds = {(f["source"], f["type"]): f["pillar"] for f in body["feeds"]}
    assert feeds[("linkedin", "post.published")] == "brand"
    assert feeds[("tiktok", "video.published")] == "brand"
    assert feeds[("hubspot", "meeting.booked")] == "relationships"
    assert body["model"]["activities"]["reaction.given"]["daily_cap"] > 0
