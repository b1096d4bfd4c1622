"""Read routes: parse, call, return. Every query is scoped to the caller's tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.api import repository
from services.api.schemas import HistoryPoint, Pillars, RepHistory, RepScore
from services.api.scores import end_of_day, score_at
from shared.events import REP_ID_PATTERN
from shared.http.auth import TenantId
from shared.http.problems import Problem

router = APIRouter(prefix="/v1", tags=["scores"])

RepIdPath = Annotated[str, Path(pattern=REP_ID_PATTERN, description="the rep's id (the events' subject)")]
_ERRORS = {
    400: {"description": "Invalid parameter (problem+json)"},
    401: {"description": "Missing or unknown API key"},
    404: {"description": "No such rep for this tenant"},
}


def _not_found(rep_id: str) -> Problem:
    return Problem(404, "Rep not found", f"no score for rep {rep_id!r} in your tenant")


@router.get("/reps/{rep_id}/score", response_model=RepScore, responses=_ERRORS, summary="A rep's current score")
async def get_score(request: Request, rep_id: RepIdPath, tenant_id: TenantId) -> RepScore:
    async with request.app.state.engine.connect() as conn:
        row = await repository.current_score(conn, tenant_id, rep_id)
    if row is None:
        raise _not_found(rep_id)
    now = datetime.now(UTC)
    model = request.app.state.model
    score = score_at(model, row, now)
    return RepScore(
        rep_id=rep_id,
        total=score.total,
        pillars=Pillars(**score.pillars),
        as_of=now,
        model_version=row["model_version"],
        updated_at=row["as_of"],
        events=row["events"],
    )


@router.get("/reps/{rep_id}/history", response_model=RepHistory, responses=_ERRORS, summary="Daily score points")
async def get_history(
    request: Request,
    rep_id: RepIdPath,
    tenant_id: TenantId,
    from_: Annotated[date | None, Query(alias="from", description="first day (UTC), default 30 days ago")] = None,
    to: Annotated[date | None, Query(description="last day (UTC), inclusive, default today")] = None,
) -> RepHistory:
    settings = request.app.state.settings
    now = datetime.now(UTC)
    end = to or now.date()
    start = from_ or end - timedelta(days=settings.history_default_days - 1)
    if start > end:
        raise Problem(400, "Invalid range", f"from ({start}) is after to ({end})")
    if (end - start).days + 1 > settings.history_max_days:
        raise Problem(400, "Invalid range", f"at most {settings.history_max_days} days per request")
    async with request.app.state.engine.connect() as conn:
        current = await repository.current_score(conn, tenant_id, rep_id)
        if current is None:
            raise _not_found(rep_id)
        rows = await repository.daily_history(conn, tenant_id, rep_id, start, end)
    model = request.app.state.model
    points = []
    for row in rows:
        at = end_of_day(row["day"], now)
        score = score_at(model, row, at)
        points.append(HistoryPoint(day=row["day"], total=score.total, pillars=Pillars(**score.pillars), as_of=at))
    return RepHistory(rep_id=rep_id, model_version=current["model_version"], points=points)
