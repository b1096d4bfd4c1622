"""Fuzz every operation the api documents, over HTTP, with and without a key: path ids, query parameters and
bodies from hypothesis. Never a 5xx, every refusal is problem+json, and every status answered is one the
OpenAPI document lists for that operation."""

from __future__ import annotations

import json
import os
import time
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import bearer, cloud_event
from tests.integration.test_ingest_fuzz import json_values

SCORED = "fuzz-rep"

instants = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "now", "",
                     "2026-02-30T00:00:00Z", "2026-01-01T00:00:00+25:00", "1e9", "2026-01-01T00:00:00.999999999Z"]),
    st.text(max_size=30),
)
days = st.one_of(st.dates().map(str), st.sampled_from(["0001-01-05", "9999-12-31", "2026-13-01", "-1", ""]),
                 st.text(max_size=12))
rep_ids = st.one_of(st.just(SCORED), st.text(max_size=70), st.sampled_from(["..", "a" * 300, "%00", "rep 1"]))
labels = st.one_of(st.none(), st.text(max_size=250), st.integers())
teams = st.one_of(st.just("fuzz-team"), st.text(max_size=210), st.sampled_from(["a/b", "%2F", "x/uplift", "\x00", ""]))
periods = st.one_of(
    st.tuples(st.dates(), st.dates()).map(lambda d: f"{d[0]}/{d[1]}"),
    st.sampled_from(["2026-10-01/2026-12-31", "2026-10-01", "2026-02-30/2026-03-01", "/", "9999-12-31/9999-12-31",
                     "0001-01-01/0001-01-02"]),
    st.text(max_size=40),
)
milestone = st.fixed_dictionaries({}, optional={
    "score": st.one_of(st.floats(), st.integers(-5, 200), st.text(max_size=5)),
    "by": st.one_of(st.dates().map(str), st.text(max_size=12), st.integers()),
})
target_bodies = st.one_of(
    st.fixed_dictionaries({"milestones": st.lists(milestone, max_size=25)}).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)
rep_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={
        "name": labels, "team": labels, "industry": labels,
        "identities": st.one_of(json_values, st.dictionaries(st.text(max_size=70), labels, max_size=40)),
    }).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)
periods = st.one_of(
    st.tuples(st.dates(), st.dates()).map(lambda d: f"{d[0]}/{d[1]}"),
    st.tuples(days, days).map(lambda d: f"{d[0]}/{d[1]}"),
    st.sampled_from(["2026-10-01/2026-12-31", "1970-01-01/1970-01-01", "2999-12-31/2999-12-31", "9999-12-31/9999-12-31",
                     "2026-10-01", "/", "2026-10-01/P3M", "2026-10-01//2026-12-31"]),
    st.text(max_size=30),
)
brand_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"own": labels, "competitors": st.one_of(
        json_values, st.lists(labels, max_size=25))}).map(lambda d: json.dumps(d).encode()),
    rep_bodies,
)


@pytest.fixture(scope="module")
def target(stack) -> dict:  # type: ignore[no-untyped-def]
    tenant = json.loads(stack.cli("tenant", "create", f"api-fuzz-{os.urandom(6).hex()}", "--json"))
    key = tenant["api_key"]
    put = httpx.put(f"{stack.api_url}/v1/reps/{SCORED}", json={"team": "fuzz-team"},
                    headers=bearer(key, "application/json"), timeout=30)
    assert put.status_code == 201, put.text
    sent = httpx.post(f"{stack.ingest_url}/v1/events", json=[cloud_event(SCORED, "comment.posted")],
                      headers=bearer(key), timeout=30)
    assert sent.status_code == 202
    deadline = time.monotonic() + 60
    while httpx.get(f"{stack.api_url}/v1/reps/{SCORED}/score", headers=bearer(key), timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the fuzz rep was never scored"
        time.sleep(0.3)
    while httpx.get(f"{stack.api_url}/v1/teams/fuzz-team", headers=bearer(key), timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the fuzz team was never derived"
        time.sleep(0.3)
    schema = httpx.get(f"{stack.api_url}/openapi.json", timeout=30).json()
    operations = [(method.upper(), path, set(op["responses"]))
                  for path, ops in schema["paths"].items() for method, op in ops.items()]
    return {"url": stack.api_url, "key": key, "operations": operations}


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), with_key=st.sampled_from(["valid", "none", "wrong"]))
def test_every_documented_operation_answers_documented_statuses(target, data, with_key) -> None:  # type: ignore[no-untyped-def]
    method, path, documented = data.draw(st.sampled_from(target["operations"]))
    rep = data.draw(rep_ids)
    if method == "DELETE" and rep == SCORED:  # erasure is permanent: the rep the last test reads stays
        rep = f"{SCORED}-erasable"
    team = data.draw(teams)
    url = target["url"] + path.replace("{rep_id}", quote(rep, safe="")).replace("{team}", quote(team, safe=""))
    # an id that is empty, a dot segment or holds a '/' makes another path: no route, 404 for anyone
    routable = ("{rep_id}" not in path or (rep not in ("", ".", "..") and "/" not in rep)) and (
        "{team}" not in path or team not in (".", ".."))
    params: dict[str, str] = {}
    if path.endswith("/score"):
        params = data.draw(st.fixed_dictionaries({}, optional={"at": instants}))
    elif path.endswith("/history"):
        params = data.draw(st.fixed_dictionaries({}, optional={"from": days, "to": days}))
    elif path == "/v1/reps" and method == "GET":
        numbers = st.one_of(st.floats().map(str), st.integers(-10, 300).map(str), st.text(max_size=8))
        params = data.draw(st.fixed_dictionaries({}, optional={
            "sort": st.one_of(st.sampled_from(["total", "-total", "people", "-rep_id", "rep_id", "--total", "x"]),
                              st.text(max_size=40)),
            "limit": numbers, "min_total": numbers, "max_total": numbers,
            "team": st.text(max_size=210), "industry": st.text(max_size=210),
            "cursor": st.one_of(st.text(max_size=60), st.sampled_from([".", "a.b", "WzAsMSwieCJd.AAAAAAAAAAAAAAAAAAAAAA"])),
        }))
    elif path in ("/v1/validation", "/v1/share-of-voice"):
        params = data.draw(st.fixed_dictionaries({}, optional={"period": periods, "team": st.text(max_size=210)}))
    elif path.startswith("/v1/teams") and method == "GET":
        params = data.draw(st.fixed_dictionaries({}, optional={
            "period": periods, "baseline": periods, "movers": st.one_of(st.integers(-3, 60).map(str), st.text(max_size=5)),
            "limit": st.one_of(st.integers(-3, 300).map(str), st.text(max_size=5)),
            "cursor": st.one_of(st.text(max_size=60), st.just("ImEi.AAAAAAAAAAAAAAAAAAAAAA")),
        }))
    headers = {"content-type": data.draw(st.sampled_from(["application/json", "text/plain", "application/x+json"]))}
    if with_key != "none":
        headers["authorization"] = f"Bearer {target['key'] if with_key == 'valid' else 'ssi_' + 'x' * 43}"
    body = None
    if method == "PUT":
        body = data.draw(brand_bodies if path == "/v1/brands" else target_bodies if path.startswith("/v1/targets")
                         else rep_bodies)
    if data.draw(st.booleans()):
        headers["accept"] = data.draw(st.sampled_from(["text/csv", "application/json", "*/*", "text/csv;q=0.1, */*"]))
    response = httpx.request(method, url, params=params, content=body, headers=headers, timeout=30)
    status = response.status_code
    assert status < 500, (method, url, params, status, response.text[:300])
    if not routable:
        # '/v1/reps/.' is '/v1/reps' once the client resolves the dot segment: the leaderboard answers GET
        leaderboard = method == "GET" and httpx.URL(url).path == "/v1/reps"
        assert status in (401, 404) or (leaderboard and status == 200), (method, url, status)
        return
    assert str(status) in documented, (method, path, status, sorted(documented), response.text[:200])
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text[:200]
    if with_key != "valid" and path.startswith("/v1/"):
        assert status == 401, (method, url, status)  # authentication comes before anything else is looked at


def test_the_api_still_serves_after_the_fuzzing(target) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(f"{target['url']}/readyz", timeout=10).status_code == 200
    score = httpx.get(f"{target['url']}/v1/reps/{SCORED}/score", headers=bearer(target["key"]), timeout=10)
    assert score.status_code == 200
