"""GET /v1/validation: does the score go with selling? Rank correlation with quota attainment (thin route:
SQL in services.api.outcome_repository, the method in services.api.validation_report)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from services.api import outcome_repository
from services.api.outcome_schemas import Validation
from services.api.period_param import PeriodQuery, period_of
from services.api.validation_report import RepOutcome, report
from shared.http.auth import TenantId

router = APIRouter(prefix="/v1", tags=["outcomes"])


@router.get(
    "/validation",
    response_model=Validation,
    responses={400: {"description": "Invalid period (problem+json)"}, 401: {"description": "Missing or unknown API key"}},
    summary="Score against quota attainment: Spearman's rho with a bootstrap interval, beside activity counts",
    description="For the tenant and each team: the rank correlation between each rep's mean daily score over "
    "the period (total and each pillar) and their quota attainment (deal.won amount with time in the period "
    "divided by the quota.set whose data.period is the period), and the same for raw activity counts as the "
    "baseline. n and a 95% bootstrap interval for each; withheld below 10 reps.",
)
async def get_validation(request: Request, tenant_id: TenantId, period: PeriodQuery) -> Validation:
    p = period_of(period)
    version = request.app.state.model.version
    async with request.app.state.engine.connect() as conn:
        quotas = await outcome_repository.attainment(conn, tenant_id, p.first, p.last, p.start, p.end)
        rep_ids = [q["rep_id"] for q in quotas]
        scores = await outcome_repository.mean_daily_scores(conn, tenant_id, version, rep_ids, p.first, p.last)
        counts = await outcome_repository.activity_counts(conn, tenant_id, version, rep_ids, p.start, p.end)
    reps = [RepOutcome(q["rep_id"], q["team"], q["won"] / q["quota"], scores.get(q["rep_id"]),
                       counts.get(q["rep_id"], {})) for q in quotas]
    # the bootstrap is numpy work (a few ms per measure for 50 reps): off the event loop
    return Validation.model_validate(await asyncio.to_thread(report, p.text, reps))
