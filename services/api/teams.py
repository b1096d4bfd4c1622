"""Team and target routes: parse, call, return. Every query is scoped to the caller's tenant.

Team names travel percent-encoded in paths, ``/`` included (``/v1/teams/emea%2Fnorth``): the name is taken from
the request's raw path, one segment, then decoded, so a name may hold any character the directory accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import Response as RawResponse
from pydantic import ValidationError

from services.api import csv_rows, examples
from services.api.csv_export import csv_response, next_page_url, wants_csv
from services.api.reading import cursors, periods, read_models, teams
from services.api.schemas import Target, TargetIn, TeamDetail, TeamPage, Uplift
from shared.http.auth import TenantId
from shared.http.bodies import read_capped_body
from shared.http.problems import Problem

router = APIRouter(prefix="/v1")

MAX_TEAM_CHARS = 200
DEFAULT_PERIOD_DAYS = 30
UNAUTHORIZED = {401: {"description": "Missing or unknown API key"}}
NO_TEAM = {404: {"description": "No such team in your tenant (a team appears within SSI_SINK_READ_MODEL_SECONDS "
                                "of its first directory entry)"}}
TeamPath = Annotated[str, Path(description="the team's name, percent-encoded ('/' as %2F)",
                               examples=["emea%2Fnorth"])]


def invalid(name: str, detail: str) -> Problem:
    return Problem(400, "Invalid parameter", detail, errors=[{"pointer": f"/query/{name}", "detail": detail}])


def team_in_path(request: Request, prefix: str) -> tuple[str, list[str]]:
    """(the team, the raw segments after it) from the undecoded path; 404 when none is named."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    text = raw.decode("latin-1").split("?", 1)[0]
    if not text.startswith(prefix):
        raise Problem(404, "Not found", "no such route")
    segments = text[len(prefix):].split("/")
    try:
        team = unquote(segments[0], errors="strict") if segments[0] else ""
    except UnicodeDecodeError:
        raise Problem(400, "Invalid parameter", "the team name is not percent-encoded UTF-8",
                      errors=[{"pointer": "/path/team", "detail": "not UTF-8"}]) from None
    if not team:
        raise Problem(404, "Team not found", "no team named in the path")
    if "\x00" in team or len(team) > MAX_TEAM_CHARS:
        raise Problem(400, "Invalid parameter", f"a team name is 1-{MAX_TEAM_CHARS} characters, without NUL",
                      errors=[{"pointer": "/path/team", "detail": "invalid team name"}])
    return team, segments[1:]


def period_of(text: str | None, name: str, now: datetime) -> periods.Period:
    if text is None:
        return periods.last_days(now.date(), DEFAULT_PERIOD_DAYS)
    try:
        return periods.parse(text, name)
    except periods.InvalidPeriod as exc:
        raise invalid(name, str(exc)) from None


def no_team(team: str) -> Problem:
    return Problem(404, "Team not found", f"no team {team!r} in your tenant's directory")


PeriodQuery = Annotated[str | None, Query(
    max_length=32, description="ISO 8601 interval of dates FROM/TO (UTC days, both included, at most 366 days); "
    "default the last 30 days", examples=["2026-10-01/2026-12-31"])]
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}, "example": examples.TEAMS_CSV}}


@router.get(
    "/teams", response_model=TeamPage, tags=["teams"], summary="The tenant's teams with their aggregates",
    description="Teams in name order, a page at a time: size, mean, median and p90 of the total and of each pillar, "
    "10-point bins, the mean trend, target progress and the share of reps at each milestone. `next_cursor` is "
    "sealed to the tenant; a walk lists every team once. `Accept: text/csv` answers the page's rows as CSV "
    "(next page in the `Link` header).",
    responses={200: {"content": {"application/json": {"example": examples.TEAM_PAGE}, **CSV_CONTENT}},
               400: {"description": "Invalid limit or cursor (problem+json)"}, **UNAUTHORIZED},
)
async def list_teams(
    request: Request,
    tenant_id: TenantId,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=cursors.MAX_CURSOR_CHARS)] = None,
) -> Any:
    try:
        async with request.app.state.engine.connect() as conn:
            page = await teams.read_page(conn, secret=request.app.state.settings.secret_key.get_secret_value(),
                                         tenant_id=tenant_id, cursor=cursor, limit=limit)
    except cursors.InvalidCursor:
        raise invalid("cursor", "cursor is not one this api gave for this tenant and list; start again without "
                                "a cursor") from None
    if wants_csv(request):
        return csv_response(page["items"], next_url=next_page_url(request, page["next_cursor"]))
    return TeamPage(**page)


async def _team_detail(request: Request, tenant_id: str, team: str, period_text: str | None, movers: int,
                       rows: str = "trend") -> Any:
    now = datetime.now(UTC)
    period = period_of(period_text, "period", now)
    async with request.app.state.engine.connect() as conn:
        found = await teams.read_team(conn, model=request.app.state.model, tenant_id=tenant_id, team=team,
                                      period=period, movers_limit=movers, now=now)
    if found is None:
        raise no_team(team)
    if wants_csv(request):  # the team's lists: its daily trend, or its movers with rows=movers
        if rows == "movers":
            return csv_response(csv_rows.mover_rows(team, TeamDetail(**found).model_dump(by_alias=True)["movers"]))
        return csv_response([{"team": team, **p} for p in found["trend"]])
    return TeamDetail(**found)


@router.get(
    "/teams/{team:path}/uplift", response_model=Uplift, tags=["teams"],
    summary="A period against a baseline: change in score and in activity, per pillar and per platform",
    description="`baseline` and `period` are ISO 8601 intervals of dates. The score change is the team's mean at the "
    "end of each (decay included; now when it ends today or later); activity is the count of scored events of "
    "the team's reps in each, with the daily rates and `uplift_percent` of the daily rate. `Accept: text/csv` "
    "answers one row per figure (`kind` score, activity_pillar or activity_platform; `name`).",
    responses={200: {"content": {"application/json": {"example": examples.UPLIFT},
                                 "text/csv": {"schema": {"type": "string"}}}},
               400: {"description": "Invalid or missing baseline or period (problem+json)"},
               **UNAUTHORIZED, **NO_TEAM},
)
async def get_uplift(
    request: Request, tenant_id: TenantId, team: TeamPath,
    baseline: Annotated[str | None, Query(max_length=32, description="the reference period, FROM/TO (required)",
                                          examples=["2026-07-01/2026-09-30"])] = None,
    period: Annotated[str | None, Query(max_length=32, description="the period compared, FROM/TO (required)",
                                        examples=["2026-10-01/2026-12-31"])] = None,
) -> Any:
    team, rest = team_in_path(request, "/v1/teams/")
    if rest == []:  # a team whose name ends in "/uplift", sent encoded: the team's own route
        try:
            movers = int(request.query_params.get("movers", "5"))
        except ValueError:
            raise invalid("movers", "movers is a whole number from 1 to 50") from None
        if not 1 <= movers <= 50:
            raise invalid("movers", "movers is a whole number from 1 to 50")
        rows = request.query_params.get("rows", "trend")
        if rows not in ("trend", "movers"):
            raise invalid("rows", "rows is trend or movers")
        return await _team_detail(request, tenant_id, team, request.query_params.get("period"), movers, rows)
    if rest != ["uplift"]:
        raise Problem(404, "Not found", "no such route (encode a '/' in a team name as %2F)")
    now = datetime.now(UTC)
    for name, value in (("baseline", baseline), ("period", period)):
        if value is None:
            raise invalid(name, f"{name} is required (FROM/TO)")
    base, compared = period_of(baseline, "baseline", now), period_of(period, "period", now)
    async with request.app.state.engine.connect() as conn:
        found = await teams.read_uplift(conn, model=request.app.state.model, tenant_id=tenant_id, team=team,
                                        baseline=base, period=compared, now=now)
    if found is None:
        raise no_team(team)
    if wants_csv(request):
        return csv_response(csv_rows.uplift_rows(Uplift(**found).model_dump(by_alias=True)))
    return Uplift(**found)


@router.get(
    "/teams/{team:path}", response_model=TeamDetail, tags=["teams"],
    summary="One team: aggregates, target progress, daily trend and movers over a period",
    description="The team's figures as in `GET /v1/teams`, its daily trend over `period` (one point per day the "
    "sink kept its figures) and its `movers` (default 5) biggest risers and fallers over `period`. "
    "`Accept: text/csv` answers the trend's rows, or with `rows=movers` the movers' (a `direction` column).",
    responses={200: {"content": {"application/json": {"example": examples.TEAM_DETAIL},
                                 "text/csv": {"schema": {"type": "string"}}}},
               400: {"description": "Invalid period, movers or team name (problem+json)"},
               **UNAUTHORIZED, **NO_TEAM},
)
async def get_team(
    request: Request, tenant_id: TenantId, team: TeamPath, period: PeriodQuery = None,
    movers: Annotated[int, Query(ge=1, le=50, description="how many risers and fallers at most")] = 5,
    rows: Annotated[Literal["trend", "movers"], Query(
        description="which list a CSV answer holds: the daily trend or the movers")] = "trend",
) -> Any:
    name, rest = team_in_path(request, "/v1/teams/")
    if rest:
        raise Problem(404, "Not found", "no such route (encode a '/' in a team name as %2F)")
    return await _team_detail(request, tenant_id, name, period, movers, rows)


# --- targets ---

TARGET_RESPONSES = {
    200: {"content": {"application/json": {"example": examples.TARGET}}},
    **UNAUTHORIZED,
}
PUT_RESPONSES = {
    **TARGET_RESPONSES,
    201: {"description": "Created", "model": Target},
    400: {"description": "Invalid body or team name (problem+json)"},
    404: {"description": "A team name with an unencoded '/': no such route"},
    413: {"description": "Body larger than SSI_API_MAX_BODY_BYTES"},
    415: {"description": "The body is not application/json"},
}
TARGET_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/TargetIn"}, "example": examples.TARGET_IN}}}}


async def target_body(request: Request) -> TargetIn:
    """The PUT body, read after authentication (the route's dependency), capped, validated."""
    kind = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise Problem(415, "Unsupported media type", f"send application/json, not {kind[:100]!r}")
    raw = await read_capped_body(request, request.app.state.settings.max_body_bytes)
    try:
        return TargetIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"pointer": "/" + "/".join(str(p) for p in err.get("loc", ())), "detail": str(err.get("msg", ""))}
                  for err in exc.errors()[:20]]
        raise Problem(400, "Invalid request", "the body is not a valid target (see errors)", errors=errors) from None


async def _put(request: Request, response: Response, tenant_id: str, team: str) -> Target:
    body = await target_body(request)
    milestones = [{"score": m.score, "by": m.by.isoformat()} for m in sorted(body.milestones, key=lambda m: (m.by, m.score))]
    async with request.app.state.engine.begin() as conn:
        created = await read_models.put_target(conn, tenant_id, team, milestones)
        row = await read_models.get_target(conn, tenant_id, team)
    response.status_code = 201 if created else 200
    return Target(team=team or None, milestones=row["milestones"], updated_at=row["updated_at"])  # type: ignore[index]


async def _get(request: Request, tenant_id: str, team: str) -> Target:
    async with request.app.state.engine.connect() as conn:
        row = await read_models.get_target(conn, tenant_id, team)
    if row is None:
        raise Problem(404, "Target not found", "no target for the tenant" if not team else f"no target for team {team!r}")
    return Target(team=team or None, milestones=row["milestones"], updated_at=row["updated_at"])


async def _delete(request: Request, tenant_id: str, team: str) -> RawResponse:
    async with request.app.state.engine.begin() as conn:
        gone = await read_models.delete_target(conn, tenant_id, team)
    if not gone:
        raise Problem(404, "Target not found", "no target for the tenant" if not team else f"no target for team {team!r}")
    return RawResponse(status_code=204)


NO_TARGET = {404: {"description": "No target set"}}


@router.put("/targets", response_model=Target, tags=["targets"], responses=PUT_RESPONSES, openapi_extra=TARGET_BODY,
            summary="Set the tenant's target (milestones), for every team without its own")
async def put_tenant_target(request: Request, response: Response, tenant_id: TenantId) -> Target:
    return await _put(request, response, tenant_id, read_models.TENANT_TARGET)


@router.get("/targets", response_model=Target, tags=["targets"], responses={**TARGET_RESPONSES, **NO_TARGET},
            summary="The tenant's target")
async def get_tenant_target(request: Request, tenant_id: TenantId) -> Target:
    return await _get(request, tenant_id, read_models.TENANT_TARGET)


@router.delete("/targets", status_code=204, tags=["targets"], responses={**UNAUTHORIZED, **NO_TARGET},
               summary="Remove the tenant's target")
async def delete_tenant_target(request: Request, tenant_id: TenantId) -> RawResponse:
    return await _delete(request, tenant_id, read_models.TENANT_TARGET)


TEAM_TARGET_NOT_FOUND = {404: {"description": "No target set for the team"}}


@router.put("/targets/{team:path}", response_model=Target, tags=["targets"], responses=PUT_RESPONSES,
            openapi_extra=TARGET_BODY,
            summary="Set a team's target: it overrides the tenant's for that team's reps and the team")
async def put_team_target(request: Request, response: Response, tenant_id: TenantId, team: TeamPath) -> Target:
    team, rest = team_in_path(request, "/v1/targets/")
    if rest:
        raise Problem(404, "Not found", "no such route (encode a '/' in a team name as %2F)")
    return await _put(request, response, tenant_id, team)


@router.get("/targets/{team:path}", response_model=Target, tags=["targets"],
            responses={**TARGET_RESPONSES, **TEAM_TARGET_NOT_FOUND, 400: {"description": "Invalid team name"}},
            summary="A team's own target (not the tenant's it may fall back to)")
async def get_team_target(request: Request, tenant_id: TenantId, team: TeamPath) -> Target:
    team, rest = team_in_path(request, "/v1/targets/")
    if rest:
        raise Problem(404, "Not found", "no such route (encode a '/' in a team name as %2F)")
    return await _get(request, tenant_id, team)


@router.delete("/targets/{team:path}", status_code=204, tags=["targets"],
               responses={**UNAUTHORIZED, **TEAM_TARGET_NOT_FOUND, 400: {"description": "Invalid team name"}},
               summary="Remove a team's target (the tenant's applies again)")
async def delete_team_target(request: Request, tenant_id: TenantId, team: TeamPath) -> RawResponse:
    team, rest = team_in_path(request, "/v1/targets/")
    if rest:
        raise Problem(404, "Not found", "no such route (encode a '/' in a team name as %2F)")
    return await _delete(request, tenant_id, team)
