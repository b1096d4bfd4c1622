"""Two model versions side by side during a switch: the api reads the active version (ssi-v3) by default and
another with ?model=; the leaderboard shows the active version only. The ssi-v2 rows are written with the
sink's own upsert, as an ssi-v2 scorer's snapshots would be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.scorer.sink import repository
from shared.db.engine import make_engine
from shared.scores import ScoreSnapshot
from shared.scoring import RepState, apply_event, evaluate, load_packaged_model
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event

V2, V3 = load_packaged_model("ssi-v2.toml"), load_packaged_model("ssi-v3.toml")


def pure(model, events: list[dict], at: datetime) -> tuple[RepState, dict]:  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, e in enumerate(events):
        apply_event(model, state, event_type=e["type"], source=e["source"],
                    event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq, data=e.get("data"))
    return state, evaluate(model, state, at.timestamp()).pillars


async def test_both_versions_read_side_by_side(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key, rep = tenant["api_key"], "switching-rep"
    now = datetime.now(UTC)
    events = [cloud_event(rep, kind, time=now - timedelta(hours=h + 1))
              for h, kind in enumerate(["connection.requested"] * 6 + ["connection.accepted", "meeting.booked"])]
    assert (await ingest.post("/v1/events", json=events, headers=bearer(key))).status_code == 202
    active = await wait_for_score(api, key, rep, len(events))
    assert active["model_version"] == "ssi-v3"
    assert [r["channel"] for r in active["explanation"]["rates"]] == list(V3.rates)
    requests = next(r for r in active["explanation"]["rates"] if r["channel"] == "connections")
    assert requests["line"].startswith("requests: 6, accepted ")

    state, _ = pure(V2, events, now)
    v2_snapshot = ScoreSnapshot(
        tenant_id=tenant["tenant_id"], rep_id=rep, model_version="ssi-v2", as_of=now, seq=state.seq,
        events=state.events, pillars=evaluate(V2, state, now.timestamp()).pillars,
        total=evaluate(V2, state, now.timestamp()).total, basis=state.basis(V2).to_json(),
    )
    engine = make_engine(stack.database_url, application_name="test-model-versions", pool_size=1)
    try:
        async with engine.begin() as conn:
            await repository.upsert_current(conn, [v2_snapshot])
            await repository.upsert_daily(conn, [v2_snapshot])
    finally:
        await engine.dispose()

    old = (await api.get(f"/v1/reps/{rep}/score", params={"model": "ssi-v2"}, headers=bearer(key))).json()
    assert old["model_version"] == "ssi-v2" and old["explanation"]["rates"] == []
    want = pure(V2, events, datetime.fromisoformat(old["as_of"]))[1]
    assert all(abs(old["pillars"][p] - want[p]) <= 0.01 for p in want)
    again = (await api.get(f"/v1/reps/{rep}/score", headers=bearer(key))).json()
    assert again["model_version"] == "ssi-v3" and again["events"] == len(events)
    assert again["total"] != old["total"]  # two models, two readings of the same events
    history = await api.get(f"/v1/reps/{rep}/history", params={"model": "ssi-v2"}, headers=bearer(key))
    assert history.status_code == 200 and history.json()["model_version"] == "ssi-v2"

    board = (await api.get("/v1/reps", headers=bearer(key))).json()["items"]
    assert [(i["rep_id"], i["total"] is not None) for i in board] == [(rep, True)]  # once: the active version
    assert abs(board[0]["total"] - again["total"]) < 1.0

    bad = await api.get(f"/v1/reps/{rep}/score", params={"model": "ssi-v9"}, headers=bearer(key))
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert "ssi-v9" in bad.json()["detail"] and bad.json()["errors"][0]["pointer"] == "/query/model"
    missing = await api.get("/v1/reps/nobody/score", params={"model": "ssi-v2"}, headers=bearer(key))
    assert missing.status_code == 404
