"""Teams, targets, uplift and CSV on the real stack: scores through the ingest, Kafka, the scorer and the sink,
the read models kept by the sink; another tenant's teams and targets are never visible or changeable."""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from services.api.schemas import LeaderboardPage, RepScore
from tests.factories import bearer, cloud_event

NOW = datetime.now(UTC)
WHEN = (NOW - timedelta(hours=1)).replace(microsecond=0)
SLASHED = "south/east?#%"
# rep -> (team, events)
REPS = {
    "tm-a": ("north", ["post.published", "post.published", "comment.posted"]),
    "tm-b": ("north", ["post.published"]),
    "tm-c": ("north", ["meeting.booked", "comment.posted"]),
    "tm-d": (SLASHED, ["profile.viewed"]),
    "tm-e": (SLASHED, ["comment.posted", "comment.posted", "post.published"]),
    "tm-idle": ("north", []),  # in the directory, no score: counts as 0
}
TODAY = NOW.date()


def _tenant(stack, label: str) -> str:  # type: ignore[no-untyped-def]
    return json.loads(stack.cli("tenant", "create", f"{label}-{os.urandom(6).hex()}", "--json"))["api_key"]


def _poll(what: str, fetch, ready, timeout: float = 90):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if ready(got):
            return got
        assert time.monotonic() < deadline, f"{what}: {getattr(got, 'text', got)!s:.300}"
        time.sleep(0.3)


def team_url(team: str, suffix: str = "") -> str:
    return f"/v1/teams/{quote(team, safe='')}{suffix}"


@pytest.fixture(scope="module")
def org(stack) -> dict:  # type: ignore[no-untyped-def]
    mine, other = _tenant(stack, "teams"), _tenant(stack, "teams-other")
    api = httpx.Client(base_url=stack.api_url, timeout=30, headers={"Authorization": f"Bearer {mine}"})
    other_api = httpx.Client(base_url=stack.api_url, timeout=30, headers={"Authorization": f"Bearer {other}"})
    for rep, (team, _) in REPS.items():
        assert api.put(f"/v1/reps/{rep}", json={"name": rep.upper(), "team": team, "industry": "software"}).status_code == 201
    # the other tenant: a team of the same name, one rep with a high score
    assert other_api.put("/v1/reps/tm-z", json={"team": "north"}).status_code == 201
    events = [cloud_event(rep, kind, time=WHEN) for rep, (_, kinds) in REPS.items() for kind in kinds]
    other_events = [cloud_event("tm-z", "meeting.booked", time=WHEN) for _ in range(4)]
    assert httpx.post(f"{stack.ingest_url}/v1/events", json=events, headers=bearer(mine), timeout=30).status_code == 202
    assert httpx.post(f"{stack.ingest_url}/v1/events", json=other_events, headers=bearer(other),
                      timeout=30).status_code == 202
    for rep, (_, kinds) in REPS.items():
        if kinds:
            _poll(f"{rep} scored", lambda rep=rep: api.get(f"/v1/reps/{rep}/score"),
                  lambda r, n=len(kinds): r.status_code == 200 and r.json()["events"] >= n)
    _poll("tm-z scored", lambda: other_api.get("/v1/reps/tm-z/score"),
          lambda r: r.status_code == 200 and r.json()["events"] >= 4)
    scored = datetime.now(UTC)
    # the sink's read-model pass after every score: teams and ranks as of then
    _poll("teams derived", lambda: api.get("/v1/teams"),
          lambda r: r.status_code == 200 and len(r.json()["items"]) == 2
          and all(datetime.fromisoformat(t["as_of"]) > scored for t in r.json()["items"]))
    totals = {i["rep_id"]: i["total"] or 0.0 for i in api.get("/v1/reps", params={"limit": 200}).json()["items"]}
    yield {"api": api, "other": other_api, "totals": totals}
    api.close()
    other_api.close()


def test_teams_list_their_aggregates_from_the_members_scores(org) -> None:  # type: ignore[no-untyped-def]
    items = {t["team"]: t for t in org["api"].get("/v1/teams").json()["items"]}
    assert sorted(items) == sorted(["north", SLASHED])
    north = items["north"]
    members = sorted(org["totals"][r] for r, (team, _) in REPS.items() if team == "north")
    assert (north["size"], north["scored"]) == (4, 3)
    assert north["total"]["mean"] == pytest.approx(statistics.mean(members), abs=0.01)
    assert north["total"]["median"] == pytest.approx(statistics.median(members), abs=0.01)
    assert north["total"]["p90"] == pytest.approx(statistics.quantiles(members, n=10, method="inclusive")[8], abs=0.01)
    assert sum(b["reps"] for b in north["bins"]) == 4 and north["bins"][0]["reps"] >= 1  # the idle rep is in 0-10
    assert set(north["pillars"]) == {"brand", "people", "insights", "relationships"}
    assert north["target"] is None and north["milestones"] == []


def test_a_cursor_walk_lists_every_team_once_and_cursors_are_sealed(org) -> None:  # type: ignore[no-untyped-def]
    api, seen, cursor = org["api"], [], None
    while True:
        page = api.get("/v1/teams", params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [t["team"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(seen) < 5
    assert seen == sorted(["north", SLASHED])
    first = api.get("/v1/teams", params={"limit": 1}).json()["next_cursor"]
    altered = first[:-1] + ("A" if first[-1] != "A" else "B")
    for bad, who in ((altered, api), (first, org["other"]), ("x", api)):
        refused = who.get("/v1/teams", params={"cursor": bad})
        assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/query/cursor"


def test_a_team_named_with_a_slash_has_a_trend_and_movers(org) -> None:  # type: ignore[no-untyped-def]
    api = org["api"]
    team = api.get(team_url(SLASHED))
    assert team.status_code == 200, team.text
    body = team.json()
    assert body["team"] == SLASHED and body["size"] == 2
    assert body["period"] == {"from": str(TODAY - timedelta(days=29)), "to": str(TODAY)}
    assert body["trend"][-1]["day"] == str(TODAY) and body["trend"][-1]["size"] == 2
    risers = body["movers"]["risers"]
    # before the period nobody had a score: every scored member rose by its whole total, largest first
    assert [r["rep_id"] for r in risers] == sorted(["tm-d", "tm-e"], key=lambda r: -org["totals"][r])
    assert all(r["from"] == 0 and r["change"] == pytest.approx(r["to"]) for r in risers)
    assert body["movers"]["fallers"] == []
    assert api.get(team_url(SLASHED), params={"movers": 1}).json()["movers"]["risers"] == risers[:1]
    # a period that ends before any score: nothing moved
    quiet = api.get(team_url(SLASHED), params={"period": "2020-01-01/2020-01-31"}).json()
    assert quiet["movers"]["risers"] == [] and quiet["trend"] == []


@pytest.mark.parametrize("path,status", [
    ("/v1/teams/south/east%3F%23%25", 404),  # the slash not encoded: another path
    ("/v1/teams/nobody", 404),
    ("/v1/teams/", 404),
    ("/v1/teams/north/nothing", 404),
    ("/v1/teams/%FF%FE", 400),  # not UTF-8
    ("/v1/targets/%FF", 400),
])
def test_unknown_teams_and_paths_are_404(org, path, status) -> None:  # type: ignore[no-untyped-def]
    answer = org["api"].get(path)
    assert answer.status_code == status and answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("period", ["2026-10-01", "2026-10-31/2026-10-01", "2026-02-30/2026-03-01",
                                    "2024-01-01/2025-12-31", "1969-12-01/1970-01-05", "x"])
def test_bad_periods_are_400_naming_the_parameter(org, period) -> None:  # type: ignore[no-untyped-def]
    answer = org["api"].get(team_url("north"), params={"period": period})
    assert answer.status_code == 400 and answer.json()["errors"][0]["pointer"] == "/query/period"
    uplift = org["api"].get(team_url("north", "/uplift"), params={"baseline": period, "period": period})
    assert uplift.status_code == 400 and uplift.json()["errors"][0]["pointer"] == "/query/baseline"


def test_another_tenant_sees_only_its_own_team_of_the_same_name(org) -> None:  # type: ignore[no-untyped-def]
    items = _poll("the other tenant's team", lambda: org["other"].get("/v1/teams"),
                  lambda r: r.status_code == 200 and r.json()["items"] and r.json()["items"][0]["scored"] == 1)
    assert [(t["team"], t["size"]) for t in items.json()["items"]] == [("north", 1)]
    assert org["other"].get(team_url(SLASHED)).status_code == 404
    assert org["other"].get(team_url(SLASHED, "/uplift"),
                            params={"baseline": "2020-01-01/2020-01-31", "period": "2020-02-01/2020-02-29"}).status_code == 404
    north = org["other"].get(team_url("north")).json()
    assert [r["rep_id"] for r in north["movers"]["risers"]] == ["tm-z"]


def test_uplift_compares_score_and_activity_per_pillar_and_platform(org) -> None:  # type: ignore[no-untyped-def]
    api = org["api"]
    baseline, period = "2020-01-01/2020-01-31", f"{TODAY - timedelta(days=6)}/{TODAY}"
    missing = api.get(team_url("north", "/uplift"), params={"period": period})
    assert missing.status_code == 400 and missing.json()["errors"][0]["pointer"] == "/query/baseline"
    body = api.get(team_url("north", "/uplift"), params={"baseline": baseline, "period": period}).json()
    assert body["team"] == "north" and body["size"] == 4
    members = [r for r, (team, _) in REPS.items() if team == "north"]
    assert body["score"]["total"]["baseline"] == 0
    assert body["score"]["total"]["period"] == pytest.approx(statistics.mean(org["totals"][r] for r in members), abs=0.05)
    kinds = [k for r in members for k in REPS[r][1]]
    platforms = body["activity"]["platforms"]
    assert platforms == {"linkedin": {"baseline": 0, "period": len(kinds), "change": len(kinds), "baseline_per_day": 0.0,
                                      "period_per_day": round(len(kinds) / 7, 4), "uplift_percent": None}}
    pillars = {p: c["period"] for p, c in body["activity"]["pillars"].items()}
    assert pillars == {"brand": 3, "insights": 2, "relationships": 1}  # posts, comments, the meeting
    same = api.get(team_url("north", "/uplift"), params={"baseline": period, "period": period}).json()
    assert same["activity"]["platforms"]["linkedin"]["uplift_percent"] == 0.0
    assert same["score"]["total"]["change"] == 0


def _csv(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_lists_and_histories_answer_csv_with_the_same_rows(org) -> None:  # type: ignore[no-untyped-def]
    api = org["api"]
    as_csv = {"Accept": "text/csv"}
    board = api.get("/v1/reps", params={"sort": "-total", "limit": 200}).json()["items"]
    rows = _csv(api.get("/v1/reps", params={"sort": "-total", "limit": 200}, headers=as_csv))
    assert [r["rep_id"] for r in rows] == [i["rep_id"] for i in board]
    for row, item in zip(rows, board, strict=True):
        for column in ("total", "brand", "people", "insights", "relationships", "rank_team", "rank_tenant",
                       "rank_industry"):
            assert column in row
        if item["total"] is not None:
            assert float(row["total"]) == item["total"] and float(row["brand"]) == item["pillars"]["brand"]
        else:
            assert row["total"] == "" and row["rank_team"] == ""
    paged = api.get("/v1/reps", params={"limit": 2}, headers=as_csv)
    assert len(_csv(paged)) == 2 and 'rel="next"' in paged.headers["link"] and "cursor=" in paged.headers["link"]
    teams = _csv(api.get("/v1/teams", headers=as_csv))
    assert [t["team"] for t in teams] == ["north", SLASHED]
    assert {"total_mean", "total_median", "total_p90", "brand_mean", "bin_0_10", "bin_90_100"} <= set(teams[0])
    history = api.get("/v1/reps/tm-a/history").json()["points"]
    history_rows = _csv(api.get("/v1/reps/tm-a/history", headers=as_csv))
    assert [r["day"] for r in history_rows] == [p["day"] for p in history]
    assert [float(r["total"]) for r in history_rows] == [p["total"] for p in history]
    trend = _csv(api.get(team_url(SLASHED), headers=as_csv))
    assert trend[-1]["day"] == str(TODAY) and trend[-1]["team"] == SLASHED
    movers = api.get(team_url(SLASHED)).json()["movers"]
    mover_rows = _csv(api.get(team_url(SLASHED), params={"rows": "movers"}, headers=as_csv))
    assert [(r["direction"], r["rep_id"], float(r["change"])) for r in mover_rows] == [
        (d[:-1], m["rep_id"], m["change"]) for d in ("risers", "fallers") for m in movers[d]] and mover_rows
    assert {"from", "to", "name", "team"} <= set(mover_rows[0])
    assert api.get(team_url(SLASHED), params={"rows": "bins"}, headers=as_csv).status_code == 400
    baseline, period = "2020-01-01/2020-01-31", f"{TODAY - timedelta(days=6)}/{TODAY}"
    uplift = api.get(team_url("north", "/uplift"), params={"baseline": baseline, "period": period}).json()
    uplift_rows = _csv(api.get(team_url("north", "/uplift"), params={"baseline": baseline, "period": period},
                               headers=as_csv))
    by_name = {(r["kind"], r["name"]): r for r in uplift_rows}
    assert float(by_name[("score", "total")]["period_value"]) == uplift["score"]["total"]["period"]
    assert int(by_name[("activity_platform", "linkedin")]["period_value"]) == uplift["activity"]["platforms"]["linkedin"]["period"]
    assert {k for k, _ in by_name} == {"score", "activity_pillar", "activity_platform"}
    assert len(uplift_rows) == 5 + len(uplift["activity"]["pillars"]) + len(uplift["activity"]["platforms"])
    json_wins = api.get("/v1/teams", headers={"Accept": "application/json, text/csv;q=0.5"})
    assert json_wins.headers["content-type"].startswith("application/json")


def test_targets_are_set_read_back_override_and_show_progress(org) -> None:  # type: ignore[no-untyped-def]
    api, other = org["api"], org["other"]
    json_body = {"Content-Type": "application/json"}
    far = str(TODAY + timedelta(days=365))
    tenant_target = {"milestones": [{"score": 95, "by": far}, {"score": 0.1, "by": str(TODAY + timedelta(days=30))}]}
    first = api.put("/v1/targets", json=tenant_target, headers=json_body)
    assert first.status_code == 201, first.text
    assert first.json()["milestones"][0] == {"score": 0.1, "by": str(TODAY + timedelta(days=30))}  # ordered by date
    assert api.put("/v1/targets", json=tenant_target, headers=json_body).status_code == 200
    north_target = {"milestones": [{"score": 99, "by": str(TODAY + timedelta(days=10))}]}
    assert api.put(team_url("north").replace("teams", "targets"), json=north_target, headers=json_body).status_code == 201
    assert api.get("/v1/targets/north").json()["milestones"] == [{"score": 99.0, "by": str(TODAY + timedelta(days=10))}]
    assert api.get("/v1/targets").json()["team"] is None
    assert api.get(f"/v1/targets/{quote(SLASHED, safe='')}").status_code == 404  # it falls back, but has none of its own

    # the other tenant sees none of it and changes none of it
    assert other.get("/v1/targets").status_code == 404 and other.get("/v1/targets/north").status_code == 404
    assert other.put("/v1/targets/north", json={"milestones": [{"score": 1, "by": far}]}, headers=json_body).status_code == 201
    assert api.get("/v1/targets/north").json()["milestones"][0]["score"] == 99
    assert other.delete("/v1/targets").status_code == 404

    # a north rep follows north's target (99, not reached); a south/east rep the tenant's (0.1 reached, 95 next)
    north_rep = api.get("/v1/reps/tm-a/score").json()["target"]
    assert north_rep["next"] == {"score": 99.0, "by": str(TODAY + timedelta(days=10))}
    assert north_rep["status"] in ("on_track", "at_risk")
    east_rep = api.get("/v1/reps/tm-e/score").json()["target"]
    assert east_rep["next"]["score"] == 95 and east_rep["status"] in ("on_track", "at_risk")
    board = {i["rep_id"]: i for i in api.get("/v1/reps", params={"limit": 200}).json()["items"]}
    assert board["tm-a"]["target"]["next"]["score"] == 99 and board["tm-e"]["target"]["next"]["score"] == 95
    assert board["tm-idle"]["target"] is None  # no score, no progress
    east = api.get(team_url(SLASHED)).json()
    reached = sum(org["totals"][r] >= 0.1 for r in ("tm-d", "tm-e"))
    assert [(m["score"], m["reps"], m["share"]) for m in east["milestones"]] == [(0.1, reached, reached / 2),
                                                                                 (95.0, 0, 0.0)]
    assert east["target"]["next"]["score"] == 95

    for bad in ({"milestones": []}, {"milestones": [{"score": 101, "by": far}]}, {"milestones": [{"score": 50}]},
                {"milestones": [{"score": 50, "by": "2027-02-30"}]}, {"milestones": [{"score": 50, "by": far}], "x": 1}):
        refused = api.put("/v1/targets", json=bad, headers=json_body)
        assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json", bad
    assert api.put("/v1/targets", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert api.put("/v1/targets/north/x", json=north_target, headers=json_body).status_code == 404
    assert api.delete("/v1/targets/north").status_code == 204
    assert api.get("/v1/reps/tm-a/score").json()["target"]["next"]["score"] == 95  # the tenant's applies again
    assert api.delete("/v1/targets").status_code == 204
    assert api.get("/v1/reps/tm-a/score").json()["target"] is None
    assert api.get("/v1/targets").status_code == 404


def test_rep_reads_carry_ranks_from_the_read_models(org) -> None:  # type: ignore[no-untyped-def]
    api = org["api"]
    score = api.get("/v1/reps/tm-a/score").json()
    # both are answered without the response model's validation: their shapes are checked here
    RepScore.model_validate(score)
    LeaderboardPage.model_validate(api.get("/v1/reps", params={"limit": 200}).json())
    api.put("/v1/targets", json={"milestones": [{"score": 50, "by": "2030-01-01"}]})
    RepScore.model_validate(api.get("/v1/reps/tm-a/score").json())
    LeaderboardPage.model_validate(api.get("/v1/reps", params={"limit": 200}).json())
    assert api.delete("/v1/targets").status_code == 204
    assert score["ranks"]["as_of"] is not None and score["explanation"]["as_of"] is not None
    board = {i["rep_id"]: i for i in api.get("/v1/reps", params={"limit": 200}).json()["items"]}
    assert board["tm-a"]["ranks"] == score["ranks"]  # the same stored counts
    assert board["tm-idle"]["ranks"] is None
