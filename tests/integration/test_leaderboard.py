"""GET /v1/reps, the leaderboard, on the real stack: scores made through the ingest, Kafka, the scorer and the
sink; directory entries through PUT /v1/reps/{rep_id}."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.factories import bearer, cloud_event

WHEN = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
# rep -> events (all at the same instant, so equal event sets give equal totals: a tie)
SCORED = {
    "lb-a": ["post.published"],
    "lb-b": ["post.published", "post.published", "comment.posted"],
    "lb-c": ["post.published"],
    "lb-d": ["meeting.booked", "comment.posted", "profile.viewed"],
    "lb-e": ["comment.posted", "comment.posted"],
    "lb-f": ["profile.viewed"],  # scored, no directory entry
}
DIRECTORY = {
    "lb-a": {"name": "A", "team": "north", "industry": "Software"},
    "lb-b": {"name": "B", "team": "north", "industry": "software"},
    "lb-c": {"name": "C", "team": "south/east", "industry": "retail"},
    "lb-d": {"name": "D", "team": "north", "industry": "retail"},
    "lb-e": {"name": "E", "team": "south/east", "industry": "software"},
    "lb-u1": {"name": "U1", "team": "north", "industry": "software"},  # no score
    "lb-u2": {"name": "U2", "team": "south/east"},  # no score
}
EVERY_REP = set(SCORED) | set(DIRECTORY)


def _wait_scored(client: httpx.Client, key: str, reps: dict[str, list[str]]) -> None:
    deadline = time.monotonic() + 90
    for rep, events in reps.items():
        while True:
            got = client.get(f"/v1/reps/{rep}/score", headers=bearer(key))
            if got.status_code == 200 and got.json()["events"] >= len(events):
                break
            assert time.monotonic() < deadline, f"{rep} was never scored: {got.text[:200]}"
            time.sleep(0.3)


def _tenant(stack, label: str) -> str:  # type: ignore[no-untyped-def]
    return json.loads(stack.cli("tenant", "create", f"{label}-{os.urandom(6).hex()}", "--json"))["api_key"]


@pytest.fixture(scope="module")
def board(stack) -> dict:  # type: ignore[no-untyped-def]
    mine, other = _tenant(stack, "board"), _tenant(stack, "board-other")
    with httpx.Client(base_url=stack.api_url, timeout=30) as api:
        for rep, fields in DIRECTORY.items():
            assert api.put(f"/v1/reps/{rep}", json=fields, headers=bearer(mine, "application/json")).status_code == 201
        # the other tenant: same rep ids and team names, a far higher score
        for rep in ("lb-a", "lb-z"):
            assert api.put(f"/v1/reps/{rep}", json={"team": "north", "industry": "software"},
                           headers=bearer(other, "application/json")).status_code == 201
        events = [cloud_event(rep, kind, time=WHEN) for rep, kinds in SCORED.items() for kind in kinds]
        other_events = [cloud_event("lb-z", kind, time=WHEN) for kind in ["post.published"] * 5 + ["meeting.booked"] * 3]
        assert httpx.post(f"{stack.ingest_url}/v1/events", json=events, headers=bearer(mine), timeout=30).status_code == 202
        assert httpx.post(f"{stack.ingest_url}/v1/events", json=other_events, headers=bearer(other),
                          timeout=30).status_code == 202
        _wait_scored(api, mine, SCORED)
        _wait_scored(api, other, {"lb-z": other_events})
    client = httpx.Client(base_url=stack.api_url, timeout=30, headers={"Authorization": f"Bearer {mine}"})
    yield {"api": client, "key": mine, "other": other}
    client.close()


def _page(board: dict, **params) -> dict:  # type: ignore[no-untyped-def]
    response = board["api"].get("/v1/reps", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _walk(board: dict, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    items, cursor, pages = [], None, 0
    while True:
        page = _page(board, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        pages += 1
        assert pages <= 50, "the walk does not end"
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _in_order(items: list[dict], key: str, descending: bool) -> None:
    scored = [i for i in items if i["total"] is not None]
    unscored = [i for i in items if i["total"] is None]
    assert items == scored + unscored, "reps without a score come last"
    value = (lambda i: i["total"]) if key == "total" else (lambda i: i["pillars"][key])
    keys = [(value(i), i["rep_id"]) for i in scored]
    assert keys == sorted(keys, reverse=descending), keys
    assert [i["rep_id"] for i in unscored] == sorted(i["rep_id"] for i in unscored)


@pytest.mark.parametrize("key", ["total", "brand", "people", "insights", "relationships"])
@pytest.mark.parametrize("descending", [True, False])
def test_sorted_both_ways_scored_first_then_directory_reps_without_a_score(board, key, descending) -> None:  # type: ignore[no-untyped-def]
    page = _page(board, sort=("-" if descending else "") + key, limit=200)
    assert page["next_cursor"] is None
    _in_order(page["items"], key, descending)
    assert {i["rep_id"] for i in page["items"]} == EVERY_REP


def test_default_sort_is_total_descending_and_items_carry_the_directory(board) -> None:  # type: ignore[no-untyped-def]
    items = _page(board)["items"]
    _in_order(items, "total", True)
    by_id = {i["rep_id"]: i for i in items}
    assert by_id["lb-b"]["name"] == "B" and by_id["lb-b"]["team"] == "north" and by_id["lb-b"]["industry"] == "software"
    assert abs(by_id["lb-b"]["total"] - sum(by_id["lb-b"]["pillars"].values())) < 1e-6
    assert by_id["lb-b"]["as_of"] is not None
    assert by_id["lb-f"]["name"] is None and by_id["lb-f"]["total"] > 0  # scored, not in the directory
    assert by_id["lb-u1"]["total"] is None and by_id["lb-u1"]["pillars"] is None and by_id["lb-u1"]["as_of"] is None


def test_ties_are_ordered_by_rep_id_in_the_sorts_direction(board) -> None:  # type: ignore[no-untyped-def]
    # no relationships activity: lb-a, lb-b, lb-c, lb-e and lb-f all have exactly 0 in that pillar
    tied = ["lb-a", "lb-b", "lb-c", "lb-e", "lb-f"]
    for sort, expected in (("relationships", tied), ("-relationships", tied[::-1])):
        items = _page(board, sort=sort, limit=200)["items"]
        zero = [i["rep_id"] for i in items if i["pillars"] is not None and i["pillars"]["relationships"] == 0]
        assert zero == expected, (sort, zero)


def test_sort_by_rep_id_lists_every_rep_in_rep_id_order(board) -> None:  # type: ignore[no-untyped-def]
    for sort, reverse in (("rep_id", False), ("-rep_id", True)):
        ids = [i["rep_id"] for i in _walk(board, sort=sort, limit=2)]
        assert ids == sorted(EVERY_REP, reverse=reverse)


@pytest.mark.parametrize("sort", ["-total", "total", "people", "-relationships", "rep_id"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_a_cursor_walk_returns_every_rep_exactly_once(board, sort, limit) -> None:  # type: ignore[no-untyped-def]
    items = _walk(board, sort=sort, limit=limit)
    ids = [i["rep_id"] for i in items]
    assert len(ids) == len(set(ids)) and set(ids) == EVERY_REP
    whole = _page(board, sort=sort, limit=200)["items"]
    assert ids == [i["rep_id"] for i in whole]  # pages put together are the single page's order


def test_filters(board) -> None:  # type: ignore[no-untyped-def]
    north = _walk(board, team="north", limit=2)
    assert {i["rep_id"] for i in north} == {"lb-a", "lb-b", "lb-d", "lb-u1"}
    slash = _page(board, team="south/east")["items"]
    assert {i["rep_id"] for i in slash} == {"lb-c", "lb-e", "lb-u2"}
    software = _page(board, industry="SoftWare")["items"]
    assert {i["rep_id"] for i in software} == {"lb-a", "lb-b", "lb-e", "lb-u1"}
    assert {i["rep_id"] for i in _page(board, team="north", industry="retail")["items"]} == {"lb-d"}
    everyone = {i["rep_id"]: i["total"] for i in _page(board, limit=200)["items"]}
    low, high = sorted(t for t in everyone.values() if t is not None)[1:3]
    bounded = _walk(board, min_total=low, max_total=high, sort="total", limit=1)
    assert {i["rep_id"] for i in bounded} == {r for r, t in everyone.items() if t is not None and low <= t <= high}
    assert all(i["total"] is not None for i in _page(board, min_total=0)["items"])
    assert _page(board, team="nobody")["items"] == []


def test_another_tenants_reps_never_appear(board, stack) -> None:  # type: ignore[no-untyped-def]
    items = _page(board, limit=200, team="north")["items"]
    assert "lb-z" not in {i["rep_id"] for i in items}
    assert {i["rep_id"] for i in _page(board, limit=200)["items"]} == EVERY_REP
    theirs = httpx.get(f"{stack.api_url}/v1/reps", headers=bearer(board["other"]), timeout=30).json()["items"]
    assert {i["rep_id"] for i in theirs} == {"lb-a", "lb-z"}
    assert next(i for i in theirs if i["rep_id"] == "lb-a")["total"] is None  # their lb-a has no score


def _problem(board: dict, params: dict, parameter: str, key: str | None = None) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = board["api"].get("/v1/reps", params=params, headers=headers)
    assert response.status_code == 400, (params, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == f"/query/{parameter}", response.text


def test_bad_sort_limit_and_bounds_are_400_naming_the_parameter(board) -> None:  # type: ignore[no-untyped-def]
    for sort in ("score", "--total", "+total", "", "name", "-"):
        _problem(board, {"sort": sort}, "sort")
    for limit in ("0", "201", "x"):
        _problem(board, {"limit": limit}, "limit")
    _problem(board, {"min_total": "nan"}, "min_total")
    _problem(board, {"min_total": "60", "max_total": "50"}, "min_total")
    _problem(board, {"team": "a\x00b"}, "team")


def test_bad_or_foreign_cursors_are_400_naming_the_cursor(board) -> None:  # type: ignore[no-untyped-def]
    cursor = _page(board, limit=2)["next_cursor"]
    assert cursor
    body, tag = cursor.split(".")
    position = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    position[2] = "lb-a"  # a forged position with the old tag
    forged = base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).rstrip(b"=").decode()
    flipped = tag[:-1] + ("A" if tag[-1] != "A" else "B")  # at most the unused bits: a second spelling, refused
    altered = tag[:5] + ("A" if tag[5] != "A" else "B") + tag[6:]  # another tag
    for bad in ("junk", "", ".", "a.b.c", f"{forged}.{tag}", f"{body}.{flipped}", f"{body}.{altered}", f"{body}.", f"{body}.{tag}=",
                "é" * 10 + "." + tag, "x" * 1025):
        _problem(board, {"limit": 2, "cursor": bad}, "cursor")
    _problem(board, {"limit": 2, "cursor": cursor, "sort": "total"}, "cursor")  # another sort
    _problem(board, {"limit": 2, "cursor": cursor, "team": "north"}, "cursor")  # other filters
    _problem(board, {"limit": 2, "cursor": cursor}, "cursor", key=board["other"])  # another tenant
    assert _page(board, limit=2, cursor=cursor)["items"]  # and the real one still works


def test_needs_a_key(stack) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(f"{stack.api_url}/v1/reps", timeout=30).status_code == 401
    assert httpx.get(f"{stack.api_url}/v1/reps?sort=bad", timeout=30).status_code == 401
