"""The api's two dashboard reads served as plain ASGI in front of FastAPI (shared.http.hot_path):
``GET /v1/reps/{rep_id}/score`` without a query, and ``GET /v1/reps`` with at most ``sort``, ``team``,
``industry`` and ``limit`` (a leaderboard's first page, which a dashboard asks for again and again).

They call the very route functions FastAPI documents (services.api.routes.get_score and list_reps) with the
same Starlette ``Request`` and the tenant from the same authentication (shared.http.auth.current_tenant), so
every check and answer stays as it is. The front takes a request only when its parameters are ones FastAPI
would accept as they are: a rep id matching the events' subject pattern, each leaderboard parameter at most
once, non-empty and within its documented length, ``limit`` digits from 1 to 200. Anything else (another
parameter, ``at``, ``model``, a cursor, a bound, a value FastAPI would refuse, other methods and paths) goes to
the FastAPI app untouched, so its refusals are FastAPI's own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from services.api import routes
from services.api.reading import leaderboard
from shared.events import REP_ID_PATTERN
from shared.http.auth import current_tenant
from shared.http.hot_path import Handler, HotPath

REPS_PATH = "/v1/reps"
SCORE_TEMPLATE = "/v1/reps/{rep_id}/score"
_REP_ID = re.compile(REP_ID_PATTERN)
_PREFIX, _SUFFIX = "/v1/reps/", "/score"
_TEXT_LIMITS = {"sort": 32, "team": 200, "industry": 200}  # list_reps' max_length of each


async def score(request: Request, rep_id: str) -> Response:
    return await routes.get_score(request, rep_id, await current_tenant(request), at=None, model_version=None)


async def first_page(request: Request, params: dict[str, Any]) -> Response:
    return await routes.list_reps(request, await current_tenant(request), **params)


def match(method: str, path: str, query: bytes) -> tuple[Handler, str, tuple] | None:
    """The hot read a request goes to, its route template and arguments; None for everything else."""
    if method != "GET":
        return None
    if path == REPS_PATH:
        params = _leaderboard_params(query)
        return None if params is None else (first_page, REPS_PATH, (params,))
    if path.startswith(_PREFIX) and path.endswith(_SUFFIX) and not query:
        rep_id = path[len(_PREFIX):-len(_SUFFIX)]
        if "/" not in rep_id and _REP_ID.fullmatch(rep_id):
            return score, SCORE_TEMPLATE, (rep_id,)
    return None


def _leaderboard_params(query: bytes) -> dict[str, Any] | None:
    """list_reps' arguments from the query string as Starlette parses it, or None if FastAPI should see it."""
    params: dict[str, Any] = {"sort": leaderboard.DEFAULT_SORT, "limit": 50}
    seen = set()
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen or not value:
            return None
        seen.add(name)
        if name in _TEXT_LIMITS:
            if len(value) > _TEXT_LIMITS[name]:
                return None
            params[name] = value
        elif name == "limit" and value.isascii() and value.isdigit() and 1 <= int(value) <= 200 and len(value) <= 3:
            params["limit"] = int(value)
        else:
            return None
    return params


def match_scope(scope: dict[str, Any]) -> tuple[Handler, str, tuple] | None:
    return match(scope["method"], scope["path"], scope["query_string"])


def front(app: FastAPI) -> HotPath:
    """The api as served: its hot reads in front of ``app``."""
    return HotPath(app, match_scope)
