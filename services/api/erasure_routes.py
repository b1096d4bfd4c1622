"""Erasure of a rep (GDPR article 17): DELETE /v1/reps/{rep_id}. Parse, call, return."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.api.routes import ERRORS, RepIdPath
from shared.db.erasure import erase_rep
from shared.http.auth import TenantId

router = APIRouter(prefix="/v1")


@router.delete(
    "/reps/{rep_id}",
    status_code=204,
    response_class=Response,
    responses={400: ERRORS[400], 401: ERRORS[401], 204: {"description": "Erased (also when nothing was stored)"}},
    tags=["reps"],
    summary="Erase a rep everywhere (GDPR art. 17); permanent until an operator runs `ssi rep unerase`",
    description="Deletes the rep's scores, daily history, scored events, directory entry and parked identities, "
    "and registers the erasure: the scorer drops the rep's state (changelog tombstones), every later event for "
    "the rep is answered 202 by the ingest and dead-lettered with the reason `erased`, and no replay brings the "
    "rep back. Idempotent: erasing an unknown or erased rep answers 204 too (its later events are refused).",
)
async def delete_rep(request: Request, rep_id: RepIdPath, tenant_id: TenantId) -> Response:
    async with request.app.state.engine.begin() as conn:
        await erase_rep(conn, tenant_id, rep_id)
    return Response(status_code=204)
