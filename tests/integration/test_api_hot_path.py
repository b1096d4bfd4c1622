"""The api's hot-read front (services.api.hot_path) answers as FastAPI does, on the real stack: each request is
sent twice, as is (taken by the front) and with one more query parameter FastAPI ignores (so the front hands
it to FastAPI), and both answers are compared: status, content type, headers that matter and body. The front's
answers carry X-Request-Id and are timed under their route template."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.factories import bearer, cloud_event
from tests.integration.scored_tenant import scored_tenant

REPS = ["front-a", "front-b", "front-c"]
VOLATILE = {"as_of", "total", "pillars", "next_cursor"}  # decayed to the instant, or pinned to the read


@pytest.fixture(scope="module")
def front_tenant(stack) -> dict:  # type: ignore[no-untyped-def]
    when = datetime.now(UTC) - timedelta(hours=1)
    events = [cloud_event(rep, "post.published", time=when + timedelta(minutes=j))
              for i, rep in enumerate(REPS) for j in range(i + 1)]
    entries = {rep: {"name": rep, "team": "a/b" if i else "c d", "industry": "Software"} for i, rep in enumerate(REPS)}
    return scored_tenant(stack, "front", entries, events)


def _steady(value):  # type: ignore[no-untyped-def]
    """The answer without what depends on the instant of the read (nested ``as_of`` too)."""
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return value


def _same(hot: httpx.Response, slow: httpx.Response) -> None:
    assert hot.status_code == slow.status_code, (hot.text, slow.text)
    assert hot.headers["content-type"] == slow.headers["content-type"]
    assert hot.headers.get("www-authenticate") == slow.headers.get("www-authenticate")
    assert re.fullmatch(r"[0-9a-f]{32}", hot.headers["x-request-id"])
    a, b = hot.json(), slow.json()
    if "items" in a:
        a, b = a["items"], b["items"]
        assert [i["rep_id"] for i in a] == [i["rep_id"] for i in b]
    for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b], strict=True):
        assert _steady(x) == _steady(y)
        if x.get("total") is not None:
            assert abs(x["total"] - y["total"]) < 0.01  # decay between the two reads


@pytest.mark.parametrize("query", [
    "", "sort=people&limit=2", "team=a%2Fb", "team=c+d&industry=software", "sort=rep_id&limit=200", "sort=bogus",
    "industry=nobody",
])
def test_a_leaderboard_first_page_answers_as_through_fastapi(stack, front_tenant, query: str) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(front_tenant["api_key"])) as api:
        hot = api.get(f"/v1/reps?{query}")
        slow = api.get(f"/v1/reps?{query}{'&' if query else ''}fastapi=1")
    _same(hot, slow)
    if query == "sort=bogus":
        assert hot.status_code == 400 and hot.json()["errors"][0]["pointer"] == "/query/sort"


@pytest.mark.parametrize("rep", [*REPS, "nobody"])
def test_a_score_answers_as_through_fastapi(stack, front_tenant, rep: str) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(front_tenant["api_key"])) as api:
        _same(api.get(f"/v1/reps/{rep}/score"), api.get(f"/v1/reps/{rep}/score?fastapi=1"))


@pytest.mark.parametrize("auth", [None, "Bearer nonsense", "Basic abc"])
def test_refusals_answer_as_through_fastapi(stack, auth: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": auth} if auth else {}
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=headers) as api:
        for path in ("/v1/reps/front-a/score", "/v1/reps"):
            hot, slow = api.get(path), api.get(path + "?fastapi=1")
            assert hot.status_code == slow.status_code == 401
            _same(hot, slow)


def test_the_fronts_answers_are_timed_under_their_template(stack, front_tenant) -> None:  # type: ignore[no-untyped-def]
    def count(route: str) -> float:
        """ssi_http_request_duration_seconds_count of GET ``route`` answered 200 (labels in any order: the
        multiprocess exposition sorts them)."""
        wanted = {f'route="{route}"', 'method="GET"', 'status="200"'}
        for line in httpx.get(f"{stack.api_url}/metrics", timeout=10).text.splitlines():
            name, _, rest = line.partition("{")
            if name == "ssi_http_request_duration_seconds_count" and set(rest.rsplit("}", 1)[0].split(",")) == wanted:
                return float(line.split()[-1])
        return 0.0

    before = (count("/v1/reps/{rep_id}/score"), count("/v1/reps"))
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(front_tenant["api_key"])) as api:
        assert api.get("/v1/reps/front-a/score").status_code == 200 and api.get("/v1/reps").status_code == 200
    assert count("/v1/reps/{rep_id}/score") > before[0] and count("/v1/reps") > before[1]
