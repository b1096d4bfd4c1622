"""The read API on the real stack: auth, 404s, parameter validation, operations endpoints."""

from __future__ import annotations

from tests.factories import bearer


async def test_unknown_rep_is_404_problem(api, tenant) -> None:  # type: ignore[no-untyped-def]
    response = await api.get("/v1/reps/nobody/score", headers=bearer(tenant["api_key"]))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nobody" in response.json()["detail"]


async def test_reads_need_a_valid_key(api) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/v1/reps/r/score")).status_code == 401
    assert (await api.get("/v1/reps/r/score", headers=bearer("ssi_wrong"))).status_code == 401


async def test_bad_parameters_are_400(api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    bad_date = await api.get("/v1/reps/r/history?from=yesterday", headers=bearer(key))
    assert bad_date.status_code == 400 and bad_date.json()["errors"][0]["pointer"].endswith("from")
    reversed_range = await api.get("/v1/reps/r/history?from=2026-02-01&to=2026-01-01", headers=bearer(key))
    assert reversed_range.status_code == 400
    too_long = await api.get("/v1/reps/r/history?from=2020-01-01&to=2026-01-01", headers=bearer(key))
    assert too_long.status_code == 400
    bad_rep = await api.get("/v1/reps/bad%20rep/score", headers=bearer(key))
    assert bad_rep.status_code == 400


async def test_operations_endpoints(api, stack) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/healthz")).status_code == 200
    assert (await api.get("/readyz")).status_code == 200
    assert "ssi_http_request_duration_seconds" in (await api.get("/metrics")).text
    assert (await api.get("/docs")).status_code == 200
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.scorer_port}") as scorer:
        assert (await scorer.get("/readyz")).status_code == 200
        metrics = (await scorer.get("/metrics")).text
        for name in ("ssi_scorer_events_total", "ssi_scorer_processing_seconds", "ssi_scorer_consumer_lag_records"):
            assert name in metrics
