"""The read API on the real stack: auth, 404s, parameter validation, operations endpoints."""

from __future__ import annotations

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


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
        for name in ("ssi_scorer_events_total", "ssi_scorer_batch_seconds", "ssi_scorer_consumer_lag_records"):
            assert name in metrics


async def test_days_and_instants_off_the_calendar_are_400_not_500(api, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    sent = await ingest.post("/v1/events", json=[cloud_event("calendar-rep")], headers=bearer(key))
    assert sent.status_code == 202
    await wait_for_score(api, key, "calendar-rep", 1)  # a rep with a score: the reads go all the way
    for query in ("score?at=0001-01-01T00:00:00Z", "score?at=1969-12-31T23:59:59%2B00:00",
                  "history?to=0001-01-05", "history?from=0001-01-01&to=0001-01-02", "history?from=0001-01-01"):
        response = await api.get(f"/v1/reps/calendar-rep/{query}", headers=bearer(key))
        assert response.status_code == 400, (query, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        detail = response.json()["detail"]
        assert "before 1970-01-02" in detail or "at most" in detail, (query, detail)
