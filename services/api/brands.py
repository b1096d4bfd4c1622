"""PUT/GET /v1/brands: the tenant's own brand and its competitors, for share of voice (thin routes)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from services.api import outcome_repository
from services.api.outcome_schemas import Brands, BrandsIn
from shared.http.auth import TenantId
from shared.http.bodies import read_capped_body
from shared.http.problems import Problem

router = APIRouter(prefix="/v1", tags=["share of voice"])

UNAUTHORIZED = {401: {"description": "Missing or unknown API key"}}


async def brands_body(request: Request) -> BrandsIn:
    """The PUT body, read only after the caller is authenticated (the route's dependency), capped, validated."""
    kind = request.headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise Problem(415, "Unsupported media type", f"send application/json, not {kind[:100]!r}")
    raw = await read_capped_body(request, request.app.state.settings.max_body_bytes)
    try:
        return BrandsIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"pointer": "/" + "/".join(str(p) for p in err.get("loc", ())), "detail": str(err.get("msg", ""))}
                  for err in exc.errors()[:20]]
        raise Problem(400, "Invalid request", "the body is not a valid brand declaration (see errors)",
                      errors=errors) from None


@router.put(
    "/brands",
    response_model=Brands,
    responses={
        **UNAUTHORIZED,
        201: {"description": "Declared for the first time", "model": Brands},
        400: {"description": "Invalid body: an empty name, duplicates, more than 20 competitors"},
        413: {"description": "Body larger than SSI_API_MAX_BODY_BYTES"},
        415: {"description": "The body is not application/json"},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": BrandsIn.model_json_schema(), "example": {"own": "Acme", "competitors": ["Globex", "Initech"]}}}}},
    summary="Declare the tenant's own brand and its competitors (replaces the previous declaration)",
)
async def put_brands(request: Request, response: Response, tenant_id: TenantId) -> Brands:
    body = await brands_body(request)
    async with request.app.state.engine.begin() as conn:
        created = await outcome_repository.put_brands(conn, tenant_id, body.own, body.competitors)
        row = await outcome_repository.get_brands(conn, tenant_id)
    response.status_code = 201 if created else 200
    return Brands(**row)  # type: ignore[arg-type]


@router.get(
    "/brands",
    response_model=Brands,
    responses={**UNAUTHORIZED, 404: {"description": "No brands declared yet (PUT /v1/brands)"}},
    summary="The tenant's declared brands",
)
async def get_brands(request: Request, tenant_id: TenantId) -> Brands:
    async with request.app.state.engine.connect() as conn:
        row = await outcome_repository.get_brands(conn, tenant_id)
    if row is None:
        raise Problem(404, "No brands declared", "declare them with PUT /v1/brands {\"own\": ..., \"competitors\": [...]}")
    return Brands(**row)
