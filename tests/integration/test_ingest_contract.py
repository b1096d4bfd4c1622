"""What the ingest promises in its OpenAPI and in CloudEvents, on the real stack: strict attribute types,
413 (not a 503 retried for ever) for an event larger than a Kafka record, and only documented statuses."""

from __future__ import annotations

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import BATCH, SINGLE, bearer, cloud_event
from tests.integration.test_ingest_fuzz import PROVIDERS, bodies, endpoints, headers, queries, tenant_factory  # noqa: F401

KAFKA_RECORD_LIMIT = 1_048_576


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time", 0),
        ("time", 1764061200),
        ("time", "1764061200"),
        ("time", "2026-11-25T09:00Z"),
        ("time", True),
        ("id", 42),
        ("id", "a\u0000b"),  # CloudEvents strings hold no control characters (Postgres refuses a NUL)
        ("id", "line\nbreak"),
        ("source", 7),
        ("subject", 12345),
        ("specversion", 1.0),
        ("datacontenttype", 5),
        ("dataschema", 5),
        ("data", "text"),
    ],
)
async def test_attributes_of_the_wrong_type_are_400_naming_them(ingest, tenant, field, value) -> None:  # type: ignore[no-untyped-def]
    event = {**cloud_event("r"), field: value}
    body = _problem(await ingest.post("/v1/events", json=event, headers=bearer(tenant["api_key"], SINGLE)), 400)
    assert [e["pointer"] for e in body["errors"]] == [f"/{field}"], body


@pytest.mark.parametrize("extension", [{"Trace": "x"}, {"trace_parent": "x"}, {"n": 2**40}, {"o": {"a": 1}},
                                       {"l": [1]}, {"f": 1.5}, {"a" * 21: "x"}])
async def test_extension_attributes_follow_the_cloudevents_rules(ingest, tenant, extension) -> None:  # type: ignore[no-untyped-def]
    event = {**cloud_event("r"), **extension}
    body = _problem(await ingest.post("/v1/events", json=[event], headers=bearer(tenant["api_key"])), 400)
    assert "extension attribute" in body["errors"][0]["detail"]
    ok = {**cloud_event("r"), "traceparent": "00-abc", "sampled": True, "priority": 3}
    assert (await ingest.post("/v1/events", json=[ok], headers=bearer(tenant["api_key"]))).status_code == 202


def _at_body_limit(events: list[dict], big: int) -> list[dict]:
    """``events`` with ``events[big]`` padded so that the JSON body is exactly the 1 MiB body limit."""
    events[big] = {**events[big], "data": {"blob": ""}}
    padding = KAFKA_RECORD_LIMIT - len(orjson.dumps(events if len(events) > 1 else events[0]))
    events[big]["data"]["blob"] = "x" * padding
    return events


async def test_an_event_larger_than_a_kafka_record_is_413_naming_the_limit(ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    """A body at the 1 MiB body limit is accepted as a body, but with its envelope the record is over Kafka's
    limit: 413 naming that limit (before, a 503 that the sender retried for ever)."""
    subject = "r" * 120
    [event] = _at_body_limit([cloud_event(subject)], 0)
    body = orjson.dumps(event)
    assert len(body) == KAFKA_RECORD_LIMIT
    response = await ingest.post("/v1/events", content=body, headers=bearer(tenant["api_key"], SINGLE))
    problem = _problem(response, 413)
    assert problem["limit_bytes"] == KAFKA_RECORD_LIMIT and str(KAFKA_RECORD_LIMIT) in problem["detail"]
    batch = _at_body_limit([cloud_event("r"), cloud_event(subject)], 1)
    problem = _problem(await ingest.post("/v1/events", content=orjson.dumps(batch), headers=bearer(tenant["api_key"])), 413)
    assert "event 1 of the batch" in problem["detail"]
    fits = cloud_event("r", blob="x" * 100_000)
    assert (await ingest.post("/v1/events", json=fits, headers=bearer(tenant["api_key"], SINGLE))).status_code == 202


async def test_openapi_states_the_constraints(ingest) -> None:  # type: ignore[no-untyped-def]
    schema = (await ingest.get("/openapi.json")).json()
    event = schema["components"]["schemas"]["CloudEvent"]
    assert event["properties"]["time"]["pattern"].startswith("^") and event["properties"]["source"]["pattern"]
    assert event["propertyNames"]["pattern"] == "^[a-z0-9]{1,20}$"
    body = schema["paths"]["/v1/events"]["post"]["requestBody"]["content"][BATCH]["schema"]
    assert (body["minItems"], body["maxItems"]) == (1, 1000)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"], (path, method)


def _documented(schema: dict, path: str, method: str) -> set[int]:
    return {int(code) for code in schema["paths"][path][method.lower()]["responses"]}


@pytest.fixture(scope="module")
def documented(endpoints):  # type: ignore[no-untyped-def]  # noqa: F811
    return httpx.get(endpoints["events"].replace("/v1/events", "/openapi.json"), timeout=10).json()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from([*PROVIDERS, "events"]), method=st.sampled_from(["POST", "GET"]), body=bodies,
       extra=headers, query=queries, with_key=st.booleans())
def test_every_answer_is_documented(endpoints, documented, route, method, body, extra, query, with_key) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    if route == "events" and method == "GET":
        method = "POST"  # /v1/events has no GET operation (405 there is the router's, with an Allow header)
    request_headers = dict(extra)
    if with_key and route == "events":
        request_headers["authorization"] = f"Bearer {endpoints['key']}"
    response = httpx.request(method, endpoints[route], content=body if method == "POST" else None,
                             headers=request_headers, params=query, timeout=30)
    path = "/v1/events" if route == "events" else "/v1/webhooks/{provider}/{endpoint_id}"
    assert response.status_code in _documented(documented, path, method), (route, method, response.status_code)
