"""End to end on the real stack: ingest -> Kafka -> Faust scorer -> sink -> Postgres -> api."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.scoring import PILLARS
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


def activity(rep: str, n_days: int, per_day: list[str]) -> list[dict]:
    now = datetime.now(UTC)
    return [
        cloud_event(rep, kind, time=now - timedelta(days=d, minutes=5 + i))
        for d in range(n_days)
        for i, kind in enumerate(per_day)
    ]


BUSY_DAY = ["post.published", "comment.posted", "connection.accepted", "message.replied", "lead.saved", "profile.viewed"]


async def test_two_reps_scored_end_to_end_and_isolated_by_tenant(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    owner, other = tenant_factory("owner"), tenant_factory("other")
    busy, quiet = activity("busy-rep", 7, BUSY_DAY), activity("quiet-rep", 1, ["reaction.given"])
    response = await ingest.post("/v1/events", json=busy + quiet, headers=bearer(owner["api_key"]))
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": len(busy) + len(quiet)}

    busy_score = await wait_for_score(api, owner["api_key"], "busy-rep", len(busy))
    quiet_score = await wait_for_score(api, owner["api_key"], "quiet-rep", len(quiet))

    assert busy_score["total"] > quiet_score["total"] > 0
    for score in (busy_score, quiet_score):
        assert set(score["pillars"]) == set(PILLARS)
        assert all(0 <= v <= 25 for v in score["pillars"].values())
        assert abs(score["total"] - sum(score["pillars"].values())) < 1e-6
        assert score["model_version"]
    for rep in ("busy-rep", "quiet-rep"):
        denied = await api.get(f"/v1/reps/{rep}/score", headers=bearer(other["api_key"]))
        assert denied.status_code == 404
        assert denied.headers["content-type"].startswith("application/problem+json")
        history = await api.get(f"/v1/reps/{rep}/history", headers=bearer(other["api_key"]))
        assert history.status_code == 404

    history = await api.get("/v1/reps/busy-rep/history", headers=bearer(owner["api_key"]))
    assert history.status_code == 200
    points = history.json()["points"]
    assert points and points[-1]["day"] == datetime.now(UTC).date().isoformat()
    assert abs(points[-1]["total"] - busy_score["total"]) < 0.5


async def test_the_same_batch_posted_twice_scores_as_once(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    once, twice = tenant_factory("once"), tenant_factory("twice")
    batch = activity("rep-d", 3, BUSY_DAY)
    for _ in range(1):
        assert (await ingest.post("/v1/events", json=batch, headers=bearer(once["api_key"]))).status_code == 202
    for _ in range(2):
        assert (await ingest.post("/v1/events", json=batch, headers=bearer(twice["api_key"]))).status_code == 202
    # a marker event sent last tells us the duplicates before it were all handled (same partition, in order)
    marker = [cloud_event("rep-d", "profile.updated")]
    for tenant in (once, twice):
        assert (await ingest.post("/v1/events", json=marker, headers=bearer(tenant["api_key"]))).status_code == 202
    a = await wait_for_score(api, once["api_key"], "rep-d", len(batch) + 1)
    b = await wait_for_score(api, twice["api_key"], "rep-d", len(batch) + 1)
    assert a["events"] == b["events"] == len(batch) + 1
    for pillar in PILLARS:  # read a few ms apart: decay may move the second decimal
        assert abs(a["pillars"][pillar] - b["pillars"][pillar]) <= 0.011
