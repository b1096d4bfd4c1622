"""GET /v1/share-of-voice: the declared brands' mentions and reach-weighted share, by platform and by day, with
the reps' amplification beside it (thin route: SQL in services.api.outcome_repository, the arithmetic in
services.api.share_of_voice_report)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.api import csv_rows, outcome_repository, share_of_voice_report
from services.api.csv_export import csv_response, wants_csv
from services.api.outcome_schemas import ShareOfVoice
from services.api.period_param import PeriodQuery, period_of
from shared.http.auth import TenantId
from shared.http.problems import Problem

router = APIRouter(prefix="/v1", tags=["share of voice"])


@router.get(
    "/share-of-voice",
    response_model=ShareOfVoice,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        400: {"description": "Invalid period or team (problem+json)"},
        401: {"description": "Missing or unknown API key"},
        409: {"description": "No brands declared yet (PUT /v1/brands first)"},
    },
    summary="Share of voice of the declared brands, by platform and by day, beside the reps' amplification",
    description="Mentions (mention.received) of the own brand and each declared competitor with time in the "
    "period: counts, reach, the share of mentions and the reach-weighted share of voice, overall, per platform "
    "and per UTC day. Mentions are the tenant's; `team` narrows the amplification (content.amplified of the "
    "team's reps, weighted by reach as the scoring model weighs it). `Accept: text/csv` answers one row per "
    "brand and `scope` (period, platform, day), then the undeclared mentions and the amplification's rows.",
)
async def get_share_of_voice(
    request: Request,
    tenant_id: TenantId,
    period: PeriodQuery,
    team: Annotated[str | None, Query(min_length=1, max_length=200, description="only this team's reps' amplification")] = None,
) -> ShareOfVoice:
    p = period_of(period)
    async with request.app.state.engine.connect() as conn:
        brands = await outcome_repository.get_brands(conn, tenant_id)
        if brands is None:
            raise Problem(409, "No brands declared",
                          "declare the own brand and its competitors first: PUT /v1/brands")
        mentions = await outcome_repository.mention_counts(conn, tenant_id, p.start, p.end)
        amplified, reps = await outcome_repository.amplifications(
            conn, tenant_id, request.app.state.model.version, p.start, p.end, team)
    found = ShareOfVoice.model_validate(share_of_voice_report.report(
        p.text, team, brands["own"], brands["competitors"], mentions, amplified, reps))
    if wants_csv(request):
        return csv_response(csv_rows.share_of_voice_rows(found.model_dump(by_alias=True)))  # type: ignore[return-value]
    return found
