"""GET /v1/validation: does the score go with selling? Rank correlation with quota attainment (thin route:
SQL in services.api.outcome_repository, the method in services.api.validation_report)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from services.api import csv_rows, outcome_repository
from services.api.csv_export import csv_response, wants_csv
from services.api.outcome_schemas import Validation
from services.api.period_param import PeriodQuery, period_of
from services.api.validation_report import RepOutcome, report
from shared.http.auth import TenantId

router = APIRouter(prefix="/v1", tags=["outcomes"])


@router.get(
    "/validation",
    response_model=Validation,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
               400: {"description": "Invalid period (problem+json)"}, 401: {"description": "Missing or unknown API key"}},
    summary="Score against quota attainment: Spearman's rho with a bootstrap interval, beside activity counts",
    description="For the tenant and each team: the rank correlation between each rep's mean daily score over "
    "the period (total and each pillar) and their quota attainment (deal.won amount with time in the period "
    "divided by the quota.set whose data.period is the period), and the same for raw activity counts as the "
    "baseline. n and a 95% bootstrap interval for each; withheld below 10 reps. `quota_periods` lists the latest "
    "periods the tenant's quotas were set for, to choose from. `Accept: text/csv` answers one row per cohort and "
    "measure (`cohort`, `team`, `basis` score or activity_counts, `measure`, `n`, `rho`, `interval_low`, "
    "`interval_high`, `withheld`).",
)
async def get_validation(request: Request, tenant_id: TenantId, period: PeriodQuery) -> Validation:
    p = period_of(period)
    version = request.app.state.model.version
    async with request.app.state.engine.connect() as conn:
        quotas = await outcome_repository.attainment(conn, tenant_id, p.first, p.last, p.start, p.end)
        rep_ids = [q["rep_id"] for q in quotas]
        scores = await outcome_repository.mean_daily_scores(conn, tenant_id, version, rep_ids, p.first, p.last)
        counts = await outcome_repository.activity_counts(conn, tenant_id, version, rep_ids, p.start, p.end)
        periods = await outcome_repository.quota_periods(conn, tenant_id)
    reps = [RepOutcome(q["rep_id"], q["team"], q["won"] / q["quota"], scores.get(q["rep_id"]),
                       counts.get(q["rep_id"], {})) for q in quotas]
    # the bootstrap is numpy work (a few ms per measure for 50 reps): off the event loop
    body = await asyncio.to_thread(report, p.text, reps)
    found = Validation.model_validate({**body, "quota_periods": periods})
    if wants_csv(request):
        return csv_response(csv_rows.validation_rows(found.model_dump(by_alias=True)))  # type: ignore[return-value]
    return found
