"""The rep directory (name, team, industry, platform identities) and the active scoring model."""

from __future__ import annotations

from typing import Any

import orjson
from prometheus_client import Counter
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from services.api import repository
from services.api.csv_export import csv_response, wants_csv
from services.api.routes import ERRORS, RepIdPath
from services.api.schemas import ModelFeed, Rep, RepIn
from shared import topics
from shared.http.auth import TenantId
from shared.http.bodies import read_capped_body
from shared.kafka_producer import KafkaUnavailable, Record
from shared.http.problems import Problem
from shared.db.erasure import is_erased
from shared.db.quotas import directory_reps

router = APIRouter(prefix="/v1")
REP_QUOTA_REFUSALS = Counter("ssi_api_quota_refusals_total", "Requests refused by a per-tenant quota.", ["kind"]).labels("reps")


def identity_records(tenant_id: str, rep_id: str, old: dict[str, str], new: dict[str, str]) -> list[Record]:
    """Claims for the scorer (compacted topic): the rep's identities, and tombstones for released ones."""
    records: list[Record] = []
    for platform, identity in new.items():
        value = {"tenant_id": tenant_id, "rep_id": rep_id, "platform": platform, "identity": identity}
        records.append((topics.IDENTITIES, topics.identity_key(tenant_id, platform, identity).encode(), orjson.dumps(value)))
    for platform, identity in old.items():
        if new.get(platform) != identity:
            records.append((topics.IDENTITIES, topics.identity_key(tenant_id, platform, identity).encode(), None))
    return records


@router.put(
    "/reps/{rep_id}",
    response_model=Rep,
    responses={
        **ERRORS,
        201: {"description": "Created", "model": Rep},
        403: {"description": "The tenant's rep quota is full (a new rep only)"},
        409: {"description": "An identity is claimed by another rep"},
        410: {"description": "The rep was erased (DELETE /v1/reps/{rep_id}); `ssi rep unerase` frees the id"},
        413: {"description": "Body larger than SSI_API_MAX_BODY_BYTES"},
        415: {"description": "The body is not application/json"},
        503: {"description": "Kafka away"},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RepIn"}}}}},
    tags=["reps"],
    summary="Create or replace a rep",
)
async def put_rep(request: Request, response: Response, rep_id: RepIdPath, tenant_id: TenantId) -> Rep:
    body = await rep_body(request)
    fields = body.model_dump()
    if fields["industry"]:
        fields["industry"] = fields["industry"].lower()
    async with request.app.state.engine.begin() as conn:
        for platform, identity in fields["identities"].items():
            holder = await repository.identity_holder(conn, tenant_id, platform, identity)
            if holder is not None and holder != rep_id:
                raise Problem(409, "Identity claimed", f"{platform} identity {identity!r} belongs to rep {holder!r}")
        before = await repository.get_rep(conn, tenant_id, rep_id)
        if before is None:
            if await is_erased(conn, tenant_id, rep_id):
                raise Problem(410, "Rep erased", f"rep {rep_id!r} was erased; only an operator can free the id "
                              "(ssi rep unerase TENANT REP)")
            check_rep_quota(request, await directory_reps(conn, tenant_id))
        created = await repository.put_rep(conn, tenant_id, rep_id, fields)
        row = await repository.get_rep(conn, tenant_id, rep_id)
    old = (before or {}).get("identities") or {}
    try:
        await request.app.state.producer.send_all(identity_records(tenant_id, rep_id, old, fields["identities"]))
    except KafkaUnavailable as exc:
        raise Problem(503, "Event store unavailable", f"{exc}; the directory is saved, repeat the same request",
                      headers={"Retry-After": "5"}) from None
    response.status_code = 201 if created else 200
    return Rep(**{k: v for k, v in row.items() if k != "tenant_id"})  # type: ignore[union-attr]


def check_rep_quota(request: Request, existing: int) -> None:
    """A new directory entry within the tenant's quota, or 403 (a count, not a rate: waiting does not help)."""
    limit = request.app.state.settings.quota_reps
    if existing >= limit:
        REP_QUOTA_REFUSALS.inc()
        raise Problem(403, "Quota exceeded", f"this tenant has {existing} reps in its directory, its limit is {limit} "
                      "(SSI_QUOTA_REPS_PER_TENANT); erase reps (DELETE /v1/reps/{rep_id}) or ask the operator",
                      quota="reps", limit=limit)


async def rep_body(request: Request) -> RepIn:
    """The PUT body, read only after the caller is authenticated (the route's dependency), capped, validated."""
    kind = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise Problem(415, "Unsupported media type", f"send application/json, not {kind[:100]!r}")
    raw = await read_capped_body(request, request.app.state.settings.max_body_bytes)
    try:
        return RepIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"pointer": "/" + "/".join(str(p) for p in err.get("loc", ())), "detail": str(err.get("msg", ""))}
                  for err in exc.errors()[:20]]
        raise Problem(400, "Invalid request", "the body is not a valid rep (see errors)", errors=errors) from None


@router.get("/reps/{rep_id}", response_model=Rep, responses=ERRORS, tags=["reps"], summary="A rep's directory entry")
async def get_rep(request: Request, rep_id: RepIdPath, tenant_id: TenantId) -> Rep:
    async with request.app.state.engine.connect() as conn:
        row = await repository.get_rep(conn, tenant_id, rep_id)
    if row is None:
        raise Problem(404, "Rep not found", f"rep {rep_id!r} is not in your tenant's directory")
    return Rep(**{k: v for k, v in row.items() if k != "tenant_id"})


@router.get(
    "/identities/unclaimed",
    responses={**ERRORS, 200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
    tags=["reps"],
    summary="Platform identities whose webhook events wait for a rep to claim them",
    description="`Accept: text/csv` answers the identities as CSV rows (platform, identity, parked_events, "
    "last_event_at).",
)
async def unclaimed(request: Request, tenant_id: TenantId) -> Any:
    async with request.app.state.engine.connect() as conn:
        rows = await repository.unclaimed_identities_of(conn, tenant_id)
    if wants_csv(request):
        return csv_response(rows, columns=["platform", "identity", "parked_events", "last_event_at"])
    return {"identities": rows, "how_to_claim": "PUT /v1/reps/{rep_id} with identities: {platform: identity}"}


@router.get(
    "/model",
    tags=["model"],
    responses={401: ERRORS[401]},
    summary="The active scoring model, and which pillar each (source, type) feeds (any tenant's key)",
)
async def get_model(request: Request, tenant_id: TenantId) -> dict[str, Any]:
    model = request.app.state.model
    platforms = sorted(p for p in model.platforms if p != "default")
    feeds = [
        ModelFeed(source=source, type=kind, pillar=a.pillar, weight=round(a.weight * model.platform_multiplier(kind, source), 4))
        for kind, a in sorted(model.activities.items())
        for source in sorted(set(platforms) | set(a.platforms))
    ]
    return {
        "version": model.version,
        "model": model.model_dump(mode="json"),
        "feeds": [f.model_dump() for f in feeds],
        "other_sources": "any other source feeds the same pillars with the 'default' platform multiplier",
    }
