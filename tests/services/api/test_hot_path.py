"""The api's hot-read front takes exactly the requests it can answer as FastAPI would (the score without a
query; a leaderboard first page with sort, team, industry and limit within their limits) and hands every
other request to FastAPI; the reads it takes stay documented."""

from __future__ import annotations

import pytest

from services.api import routes
from services.api.app import create_app
from services.api.config import ApiSettings
from services.api.hot_path import first_page, match, score
from tests.services.routing import fastapi_endpoint

APP = create_app(ApiSettings(SSI_ENV="test"))


@pytest.mark.parametrize("path", ["/v1/reps/rep-1/score", "/v1/reps/a.b_c-D@x/score", "/v1/reps/walk-00/score"])
def test_a_score_without_a_query_is_taken_with_fastapis_path_parameter(path: str) -> None:
    endpoint, params = fastapi_endpoint(APP, "GET", path)
    assert endpoint is routes.get_score
    handler, template, args = match("GET", path, b"")
    assert handler is score and template == "/v1/reps/{rep_id}/score" and args == (params["rep_id"],)


@pytest.mark.parametrize("method, path, query", [
    ("GET", "/v1/reps/rep-1/score", b"at=2026-01-01T00:00:00Z"), ("GET", "/v1/reps/rep-1/score", b"model=ssi-v2"),
    ("GET", "/v1/reps/rep-1/score", b"x=1"), ("HEAD", "/v1/reps/rep-1/score", b""),
    ("POST", "/v1/reps/rep-1/score", b""), ("GET", "/v1/reps/a/b/score", b""), ("GET", "/v1/reps//score", b""),
    ("GET", "/v1/reps/" + "x" * 300 + "/score", b""), ("GET", "/v1/reps/bad id/score", b""),
    ("GET", "/v1/reps/rep-1/score/", b""), ("GET", "/v1/reps/rep-1/history", b""),
    ("GET", "/v1/reps", b"cursor=abc"), ("GET", "/v1/reps", b"min_total=10"), ("GET", "/v1/reps", b"max_total=10"),
    ("GET", "/v1/reps", b"limit=0"), ("GET", "/v1/reps", b"limit=201"), ("GET", "/v1/reps", b"limit=5.0"),
    ("GET", "/v1/reps", b"limit=%EF%BC%95"), ("GET", "/v1/reps", b"limit=0050"), ("GET", "/v1/reps", b"sort="),
    ("GET", "/v1/reps", b"team="), ("GET", "/v1/reps", b"sort=-total&sort=total"),
    ("GET", "/v1/reps", b"sort=" + b"x" * 33), ("GET", "/v1/reps", b"team=" + b"t" * 201), ("GET", "/v1/reps", b"x=1"),
    ("GET", "/v1/reps/", b""), ("POST", "/v1/reps", b""), ("GET", "/v1/teams", b""),
])
def test_everything_else_goes_to_fastapi(method: str, path: str, query: bytes) -> None:
    assert match(method, path, query) is None


@pytest.mark.parametrize("query, params", [
    (b"", {"sort": "-total", "limit": 50}),
    (b"sort=people&limit=3", {"sort": "people", "limit": 3}),
    (b"sort=-total&limit=50&team=team-3", {"sort": "-total", "limit": 50, "team": "team-3"}),
    (b"team=a%2Fb&industry=Software", {"sort": "-total", "limit": 50, "team": "a/b", "industry": "Software"}),
    (b"team=north+east&limit=200", {"sort": "-total", "limit": 200, "team": "north east"}),
    (b"sort=nonsense", {"sort": "nonsense", "limit": 50}),  # list_reps itself answers 400, as through FastAPI
    (b"team=" + b"t" * 200, {"sort": "-total", "limit": 50, "team": "t" * 200}),
])
def test_a_leaderboard_first_page_is_taken_with_the_parameters_fastapi_would_give(query: bytes, params: dict) -> None:
    assert fastapi_endpoint(APP, "GET", "/v1/reps")[0] is routes.list_reps
    handler, template, args = match("GET", "/v1/reps", query)
    assert handler is first_page and template == "/v1/reps" and args == (params,)


def test_the_hot_reads_stay_documented() -> None:
    paths = APP.openapi()["paths"]
    assert "get" in paths["/v1/reps"] and "get" in paths["/v1/reps/{rep_id}/score"]
    assert {p["name"] for p in paths["/v1/reps"]["get"]["parameters"]} >= {"sort", "team", "industry", "limit", "cursor"}
