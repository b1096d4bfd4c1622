"""Score routes: parse, call, return. Every query is scoped to the caller's tenant."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.api import examples, repository
from services.api.csv_export import csv_response, next_page_url, wants_csv
from services.api.reading import leaderboard, rep_score
from services.api.reading.page_cache import PageCache
from services.api.reading.ranks import RankPolicy
from services.api.schemas import (
    HistoryPoint,
    LeaderboardPage,
    Pillars,
    RepHistory,
    RepScore,
)
from services.api.reading.snapshots import end_of_day, evaluate_snapshot, model_to_read
from shared.events import REP_ID_PATTERN
from shared.http.auth import TenantId
from shared.http.problems import Problem
from shared.http.responses import OrjsonResponse

router = APIRouter(prefix="/v1", tags=["scores"])

RepIdPath = Annotated[str, Path(pattern=REP_ID_PATTERN, description="the rep's id (the events' subject)")]
ERRORS = {
    400: {"description": "Invalid parameter (problem+json)"},
    401: {"description": "Missing or unknown API key"},
    404: {"description": "No such rep for this tenant"},
}
EARLIEST_DAY = date(1970, 1, 2)
"""Nothing is scored before the epoch; earlier instants and days are refused (the day arithmetic around them
would leave the calendar)."""
EARLIEST = datetime.combine(EARLIEST_DAY, datetime.min.time(), tzinfo=UTC)


ModelParam = Annotated[
    str | None,
    Query(alias="model", max_length=64,
          description="a model version to read instead of the active one (e.g. ssi-v2 during a switch): each "
                      "version's scores are kept apart"),
]


def _model(request: Request, requested: str | None):  # type: ignore[no-untyped-def]
    try:
        return model_to_read(request.app.state.model, requested)
    except ValueError as exc:
        raise Problem(400, "Invalid parameter", str(exc), errors=[{"pointer": "/query/model", "detail": str(exc)}]) from None


def not_found(rep_id: str) -> Problem:
    return Problem(404, "Rep not found", f"no score for rep {rep_id!r} in your tenant")


@router.get("/reps/{rep_id}/score", response_model=RepScore, summary="A rep's score, explained",
             responses={**ERRORS, 200: {"content": {"application/json": {"example": examples.REP_SCORE}}}},
             description="Now: the stored snapshot evaluated with decay up to now, ranks from the cohort counts the "
             "sink keeps (`ranks.as_of`), the explanation of the current snapshot (`explanation.as_of`) and progress "
             "towards the team's (else the tenant's) target. With `at`: from the ledger, no ranks, no target.")
async def get_score(
    request: Request,
    rep_id: RepIdPath,
    tenant_id: TenantId,
    at: Annotated[
        datetime | None,
        Query(description="RFC 3339 instant: decay applied up to it, events after it ignored; default now"),
    ] = None,
    model_version: ModelParam = None,
) -> RepScore:
    now = datetime.now(UTC)
    if at is not None:
        if at.tzinfo is None:
            raise Problem(400, "Invalid parameter", "at must be an RFC 3339 instant with an offset, e.g. ...Z")
        if at > now:
            raise Problem(400, "Invalid parameter", f"at ({at.isoformat()}) is in the future")
        if at < EARLIEST:
            raise Problem(400, "Invalid parameter", f"at ({at.isoformat()}) is before {EARLIEST.isoformat()}")
    model, settings = _model(request, model_version), request.app.state.settings
    async with request.app.state.read_engine.connect() as conn:
        if at is None:
            policy = RankPolicy(settings.rank_min_cohort, settings.rank_min_other_tenants)
            found = await rep_score.read_now(conn, model=model, policy=policy, tenant_id=tenant_id, rep_id=rep_id,
                                             now=now, active=model is request.app.state.model)
        else:
            found = await rep_score.read_at(conn, model=model, tenant_id=tenant_id, rep_id=rep_id, at=at)
    if found is None:
        raise not_found(rep_id)
    # answered as built (its shape is RepScore's, checked by tests/integration/test_teams.py): validating the
    # model again cost as much as the read
    return OrjsonResponse(found)  # type: ignore[return-value]


@router.get("/reps/{rep_id}/history", response_model=RepHistory, summary="Daily score points",
             responses={**ERRORS, 200: {"content": {"application/json": {"example": examples.HISTORY},
                                                    "text/csv": {"schema": {"type": "string"},
                                                                 "example": examples.HISTORY_CSV}}}},
             description="`Accept: text/csv` answers the points as CSV rows (day, total, the four pillars, as_of).")
async def get_history(
    request: Request,
    rep_id: RepIdPath,
    tenant_id: TenantId,
    from_: Annotated[date | None, Query(alias="from", description="first day (UTC), default 30 days ago")] = None,
    to: Annotated[date | None, Query(description="last day (UTC), inclusive, default today")] = None,
    model_version: ModelParam = None,
) -> RepHistory:
    settings = request.app.state.settings
    now = datetime.now(UTC)
    for name, day in (("from", from_), ("to", to)):
        if day is not None and day < EARLIEST_DAY:
            raise Problem(400, "Invalid parameter", f"{name} ({day}) is before {EARLIEST_DAY}")
    end = to or now.date()
    start = from_ or end - timedelta(days=settings.history_default_days - 1)
    if start > end:
        raise Problem(400, "Invalid range", f"from ({start}) is after to ({end})")
    if (end - start).days + 1 > settings.history_max_days:
        raise Problem(400, "Invalid range", f"at most {settings.history_max_days} days per request")
    async with request.app.state.engine.connect() as conn:
        model = _model(request, model_version)
        current = await repository.current_score(conn, tenant_id, rep_id, model_version=model.version)
        if current is None:
            raise not_found(rep_id)
        rows = await repository.daily_history(conn, tenant_id, rep_id, start, end, model_version=model.version)
    points = []
    for row in rows:
        at = end_of_day(row["day"], now)
        score = evaluate_snapshot(model, row, at)
        points.append(HistoryPoint(day=row["day"], total=score.total, pillars=Pillars(**score.pillars), as_of=at))
    if wants_csv(request):
        return csv_response([p.model_dump() for p in points])  # type: ignore[return-value]
    return RepHistory(rep_id=rep_id, model_version=current["model_version"], points=points)


LEADERBOARD_EXAMPLE = {
    "items": [
        {"rep_id": "rep-7", "name": "Ada Lovelace", "team": "emea-east", "industry": "software", "total": 71.3,
         "pillars": {"brand": 19.2, "people": 16.0, "insights": 17.6, "relationships": 18.5},
         "as_of": "2026-11-26T09:00:00Z", "ranks": examples.RANKS, "target": examples.TARGET_PROGRESS},
        {"rep_id": "rep-12", "name": "Alan Turing", "team": "emea-east", "industry": "software", "total": None,
         "pillars": None, "as_of": None, "ranks": None, "target": None},
    ],
    "next_cursor": "WzAsNzEuMywicmVwLTciXQ.3n2Yc0bq2m3Vb3bS0cB2ZA",
}


@router.get(
    "/reps",
    response_model=LeaderboardPage,
    responses={
        200: {"content": {"application/json": {"example": LEADERBOARD_EXAMPLE},
                          "text/csv": {"schema": {"type": "string"}, "example": examples.LEADERBOARD_CSV}}},
        400: {"description": "Invalid parameter: sort, cursor, limit, a total bound or a filter (problem+json, "
                             "`errors[0].pointer` names it)"},
        401: ERRORS[401],
        410: {"description": "The cursor's walk is older than SSI_API_CURSOR_SECONDS (900 s by default): start "
                             "again without a cursor (problem+json, `errors[0].pointer` is `/query/cursor`)"},
    },
    tags=["leaderboard"],
    summary="The leaderboard: the tenant's reps, sorted, filtered, a page at a time",
    description="Reps with a stored score (from the scorer and the sink), then directory reps without a score "
    "(total and pillars null), whatever the direction; `sort=rep_id` lists every rep in rep_id order. Ties are "
    "ordered by rep_id in the sort's direction. `min_total`/`max_total` leave out the reps without a score. "
    "`next_cursor` continues the same sort and filters; it is sealed, and refused (400) with other parameters, "
    "for another tenant or altered. A walk (a first page and the pages its cursors lead to) reads the scores as of "
    "its first page, so each rep appears once in it while scores change; its cursors are valid for "
    "SSI_API_CURSOR_SECONDS (900 s), then answered 410. Items carry ranks (from the cohort counts the sink keeps, as of `ranks.as_of`) "
    "and progress towards the team's (else the tenant's) target. `Accept: text/csv` answers the page's rows as CSV "
    "(pillars and ranks flattened into columns; the next page in the `Link` header).",
)
async def list_reps(
    request: Request,
    tenant_id: TenantId,
    sort: Annotated[str, Query(max_length=32, description="total, brand, people, insights, relationships or "
                                                        "rep_id; '-' in front for descending")] = leaderboard.DEFAULT_SORT,
    team: Annotated[str | None, Query(max_length=200, description="only this team (exact)")] = None,
    industry: Annotated[str | None, Query(max_length=200, description="only this industry (case-insensitive)")] = None,
    min_total: Annotated[float | None, Query(ge=0, le=100, allow_inf_nan=False)] = None,
    max_total: Annotated[float | None, Query(ge=0, le=100, allow_inf_nan=False)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=leaderboard.MAX_CURSOR_CHARS,
                                        description="next_cursor of the previous page")] = None,
) -> LeaderboardPage:
    csv = wants_csv(request)
    try:
        order = leaderboard.Sort.parse(sort)
        filters = leaderboard.Filters(team=team, industry=industry, min_total=min_total, max_total=max_total)
        cache: PageCache = request.app.state.page_cache
        model_version = request.app.state.model.version
        # a first page in JSON may be one this worker kept (services.api.reading.page_cache)
        key = (tenant_id, model_version, order, filters, limit, datetime.now(UTC).date()) \
            if cursor is None and not csv and cache.enabled else None
        async with request.app.state.read_engine.connect() as conn:
            if key is not None and (body := await cache.current(conn, key, tenant_id)) is not None:
                return Response(body, media_type="application/json")  # type: ignore[return-value]
            read_at = time.monotonic()
            settings = request.app.state.settings
            page = await leaderboard.read_page(
                conn, policy=RankPolicy(settings.rank_min_cohort, settings.rank_min_other_tenants), secret=request.app.state.settings.secret_key.get_secret_value(), tenant_id=tenant_id,
                sort=order, filters=filters, cursor=cursor, limit=limit,
                model_version=model_version, cursor_seconds=settings.cursor_seconds)
    except leaderboard.InvalidParameter as exc:
        raise Problem(400, "Invalid parameter", exc.detail,
                      errors=[{"pointer": f"/query/{exc.name}", "detail": exc.detail}]) from None
    except leaderboard.ExpiredCursor as exc:
        raise Problem(410, "Cursor expired", exc.detail,
                      errors=[{"pointer": "/query/cursor", "detail": exc.detail}]) from None
    if csv:
        return csv_response(page.items, next_url=next_page_url(request, page.next_cursor))  # type: ignore[return-value]
    # answered as built (its shape is LeaderboardPage's, checked by tests/integration/test_teams.py): validating
    # 50 items cost more than reading them
    answer = OrjsonResponse({"items": page.items, "next_cursor": page.next_cursor})
    if key is not None:
        cache.keep(key, page.snapshot, answer.body, read_at)
    return answer  # type: ignore[return-value]
