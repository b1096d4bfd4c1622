"""The api on the real stack: authentication comes before the body, bodies and identity maps are capped,
the model needs a key, /readyz keeps internals to the log, /metrics labels come from a bounded set."""

from __future__ import annotations

import httpx

from tests.factories import bearer
from tests.integration.extra_service import extra_service


async def test_put_without_a_key_is_401_even_with_a_broken_body(api) -> None:  # type: ignore[no-untyped-def]
    for body in (b"{not json", b"[]", b'{"identities": 5}'):
        response = await api.put("/v1/reps/r1", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 401, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    wrong_key = await api.put("/v1/reps/r1", content=b"{not json", headers=bearer("ssi_wrong", "application/json"))
    assert wrong_key.status_code == 401


async def test_a_broken_body_with_a_key_is_400_naming_the_problem(api, tenant) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(tenant["api_key"], "application/json")
    broken = await api.put("/v1/reps/r1", content=b"{not json", headers=headers)
    assert broken.status_code == 400 and broken.headers["content-type"].startswith("application/problem+json")
    unknown = await api.put("/v1/reps/r1", json={"nickname": "x"}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["pointer"] == "/nickname"
    text = await api.put("/v1/reps/r1", content=b"name=x", headers=bearer(tenant["api_key"], "text/plain"))
    assert text.status_code == 415


async def test_bodies_are_capped_while_streaming(api, tenant) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(tenant["api_key"], "application/json")
    big = b'{"name": "' + b"a" * 70_000 + b'"}'
    declared = await api.put("/v1/reps/r1", content=big, headers=headers)
    assert declared.status_code == 413 and "65536" in declared.json()["detail"]

    async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: chunked, counted as it arrives
        yield b'{"name": "'
        for _ in range(100):
            yield b"a" * 1000
        yield b'"}'

    streamed = await api.put("/v1/reps/r1", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert (await api.get("/v1/reps/r1", headers=headers)).status_code == 404  # nothing was stored


async def test_the_identities_map_is_capped(api, tenant) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(tenant["api_key"], "application/json")
    many = {f"platform{i}": f"id-{i}" for i in range(33)}
    refused = await api.put("/v1/reps/r-many", json={"identities": many}, headers=headers)
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/identities"
    fine = {f"platform{i}": f"id-{i}" for i in range(32)}
    assert (await api.put("/v1/reps/r-many", json={"identities": fine}, headers=headers)).status_code == 201


async def test_the_model_needs_a_key(api, tenant) -> None:  # type: ignore[no-untyped-def]
    assert (await api.get("/v1/model")).status_code == 401
    assert (await api.get("/v1/model", headers=bearer(tenant["api_key"]))).status_code == 200


async def test_metrics_label_unknown_methods_as_other(api) -> None:  # type: ignore[no-untyped-def]
    # httptools refuses methods it does not know (BREW) before the app; those it knows but the labels do not
    # list (PROPFIND, PURGE, MKCOL) reach the app and must be counted as "other"
    for method in ("BREW", "PROPFIND-X1", "PROPFIND", "PURGE", "MKCOL", "GET"):
        await api.request(method, "/v1/reps/r/score")
    metrics = (await api.get("/metrics")).text
    assert 'method="other"' in metrics
    assert all(m not in metrics for m in ("BREW", "PROPFIND", "PURGE", "MKCOL"))


def test_readyz_names_the_failing_dependency_without_its_internals(stack) -> None:  # type: ignore[no-untyped-def]
    unreachable = "postgresql+asyncpg://ssi@127.0.0.1:9/ssi"  # port 9 (discard): nothing listens there
    with extra_service(stack, "api", {"SSI_DATABASE_URL": unreachable}, "api-broken-db") as (url, log):
        response = httpx.get(f"{url}/readyz", timeout=30)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["checks"] == {"database": "unavailable"}
        assert "127.0.0.1" not in response.text and ":9" not in response.text and "Error" not in response.text
    assert "database check failed" in log.read_text()
