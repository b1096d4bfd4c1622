"""Score routes: parse, call, return. Every query is scoped to the caller's tenant."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.api import explain, repository
from services.api.reading import leaderboard
from services.api.schemas import (
    Change,
    Contribution,
    Explanation,
    HistoryPoint,
    LeaderboardPage,
    Pillars,
    Rank,
    Ranks,
    Rate,
    RepHistory,
    RepScore,
)
from services.api.scores import end_of_day, model_to_read, score_at
from shared.events import REP_ID_PATTERN
from shared.http.auth import TenantId
from shared.http.problems import Problem
from shared.scoring import PILLARS, Score

router = APIRouter(prefix="/v1", tags=["scores"])

RepIdPath = Annotated[str, Path(pattern=REP_ID_PATTERN, description="the rep's id (the events' subject)")]
ERRORS = {
    400: {"description": "Invalid parameter (problem+json)"},
    401: {"description": "Missing or unknown API key"},
    404: {"description": "No such rep for this tenant"},
}
EXPLAIN_DAYS = 30
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


def _day(at: datetime) -> int:
    return math.floor(at.timestamp() / 86_400)


INDUSTRY_STEP = 5
"""The industry percentile is rounded down to a multiple of this many points."""


async def _industry_rank(request: Request, conn, tenant_id: str, rep: dict | None, total: float, version: str) -> Rank:  # type: ignore[no-untyped-def]
    """The rep against other tenants' scored reps of its industry, shown only with enough of them."""
    if not rep or not rep.get("industry"):
        return Rank(withheld="the rep has no industry in the directory (PUT /v1/reps/{rep_id})")
    settings = request.app.state.settings
    below, size, tenants = await repository.industry_counts(conn, total, tenant_id, rep["industry"],
                                                            model_version=version)
    if size < settings.rank_min_cohort or tenants < settings.rank_min_other_tenants:
        return Rank(withheld=f"fewer than {settings.rank_min_cohort} scored reps of at least "
                             f"{settings.rank_min_other_tenants} other tenants in this industry")
    return Rank(percentile=float(INDUSTRY_STEP * math.floor(100.0 * below / size / INDUSTRY_STEP)))


async def _ranks(request: Request, conn, tenant_id: str, rep_id: str, total: float, version: str) -> Ranks:  # type: ignore[no-untyped-def]
    """Ranks among the scores of the same model version."""
    minimum = request.app.state.settings.rank_min_cohort
    rep = await repository.get_rep(conn, tenant_id, rep_id)
    out = {}
    for cohort in ("team", "tenant"):
        counts = await repository.rank_counts(conn, total, cohort, tenant_id, rep, model_version=version)
        if counts is None:
            out[cohort] = Rank(withheld=f"the rep has no {cohort} in the directory (PUT /v1/reps/{{rep_id}})")
        elif counts[1] < minimum:
            out[cohort] = Rank(withheld=f"cohort smaller than {minimum}")
        else:
            below, size = counts
            out[cohort] = Rank(percentile=round(100.0 * below / (size - 1), 1))
    out["industry"] = await _industry_rank(request, conn, tenant_id, rep, total, version)
    return Ranks(**out)


@router.get("/reps/{rep_id}/score", response_model=RepScore, responses=ERRORS, summary="A rep's score, explained")
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
    when = at or now
    model = _model(request, model_version)
    async with request.app.state.engine.connect() as conn:
        row = await repository.current_score(conn, tenant_id, rep_id, model_version=model.version)
        if row is None:
            raise not_found(rep_id)
        first_day = _day(when) - explain.horizon_days(model)
        rows = await repository.ledger(
            conn, tenant_id, rep_id, model_version=model.version, first_day=first_day, until=when
        )
        earlier = await repository.ledger(
            conn, tenant_id, rep_id, model_version=model.version, first_day=first_day, until=when - timedelta(days=1)
        )
        if at is None:
            score = score_at(model, row, now)
            ranks = await _ranks(request, conn, tenant_id, rep_id, row["total"], model.version)
        else:
            score, ranks = explain.score_at(model, rows, at.timestamp()), None
    yesterday: Score = explain.score_at(model, earlier, (when - timedelta(days=1)).timestamp())
    if at is None:  # compare like with like: the ledger's reading of now against its reading of yesterday
        today = explain.score_at(model, rows, now.timestamp())
    else:
        today = score
    contributions = explain.contributions(model, rows, when.timestamp(), _day(when) - EXPLAIN_DAYS + 1, score.pillars)
    return RepScore(
        rep_id=rep_id,
        total=score.total,
        pillars=Pillars(**score.pillars),
        as_of=when,
        model_version=row["model_version"],
        updated_at=row["as_of"],
        events=row["events"] if at is None else sum(r.events for r in rows),
        ranks=ranks,
        explanation=Explanation(
            window_days=EXPLAIN_DAYS,
            contributions=[Contribution(**c.__dict__) for c in contributions],
            change_since_yesterday=Change(
                total=round(today.total - yesterday.total, 2),
                pillars={p: round(today.pillars[p] - yesterday.pillars[p], 2) for p in PILLARS},
            ),
            rates=[Rate(channel=r.channel, line=r.line(), asked=round(r.asked, 2), answered=round(r.answered, 2),
                        rate=round(r.rate, 4), worth=round(r.worth, 4))
                   for r in explain.rates_at(model, rows, when.timestamp())],
        ),
    )


@router.get("/reps/{rep_id}/history", response_model=RepHistory, responses=ERRORS, summary="Daily score points")
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
        score = score_at(model, row, at)
        points.append(HistoryPoint(day=row["day"], total=score.total, pillars=Pillars(**score.pillars), as_of=at))
    return RepHistory(rep_id=rep_id, model_version=current["model_version"], points=points)


LEADERBOARD_EXAMPLE = {
    "items": [
        {"rep_id": "rep-7", "name": "Ada Lovelace", "team": "emea-east", "industry": "software", "total": 71.3,
         "pillars": {"brand": 19.2, "people": 16.0, "insights": 17.6, "relationships": 18.5},
         "as_of": "2026-11-26T09:00:00Z"},
        {"rep_id": "rep-12", "name": "Alan Turing", "team": "emea-east", "industry": "software", "total": None,
         "pillars": None, "as_of": None},
    ],
    "next_cursor": "WzAsNzEuMywicmVwLTciXQ.3n2Yc0bq2m3Vb3bS0cB2ZA",
}


@router.get(
    "/reps",
    response_model=LeaderboardPage,
    responses={
        200: {"content": {"application/json": {"example": LEADERBOARD_EXAMPLE}}},
        400: {"description": "Invalid parameter: sort, cursor, limit, a total bound or a filter (problem+json, "
                             "`errors[0].pointer` names it)"},
        401: ERRORS[401],
    },
    tags=["leaderboard"],
    summary="The leaderboard: the tenant's reps, sorted, filtered, a page at a time",
    description="Reps with a stored score (from the scorer and the sink), then directory reps without a score "
    "(total and pillars null), whatever the direction; `sort=rep_id` lists every rep in rep_id order. Ties are "
    "ordered by rep_id in the sort's direction. `min_total`/`max_total` leave out the reps without a score. "
    "`next_cursor` continues the same sort and filters; it is sealed, and refused (400) with other parameters, "
    "for another tenant or altered.",
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
    try:
        order = leaderboard.Sort.parse(sort)
        filters = leaderboard.Filters(team=team, industry=industry, min_total=min_total, max_total=max_total)
        async with request.app.state.engine.connect() as conn:
            page = await leaderboard.read_page(
                conn, secret=request.app.state.settings.secret_key.get_secret_value(), tenant_id=tenant_id,
                sort=order, filters=filters, cursor=cursor, limit=limit,
                model_version=request.app.state.model.version)
    except leaderboard.InvalidParameter as exc:
        raise Problem(400, "Invalid parameter", exc.detail,
                      errors=[{"pointer": f"/query/{exc.name}", "detail": exc.detail}]) from None
    return LeaderboardPage(items=page.items, next_cursor=page.next_cursor)
