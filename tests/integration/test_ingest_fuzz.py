"""Fuzz every ingest route over HTTP with malformed bodies and headers: never a 5xx, and the service keeps
serving (checked after the run)."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.providers import PROVIDERS  # noqa: E402

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=15), inner, max_size=5),
    max_leaves=30,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.just(b"[" * 3000 + b"]" * 3000),
    st.just(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
    st.just(b"\xff\xfe\x00{"),
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80).map(str.strip)
headers = st.dictionaries(
    st.sampled_from([
        "content-type", "authorization", "webhook-id", "webhook-timestamp", "webhook-signature",
        "x-hubspot-signature-v3", "x-hubspot-request-timestamp", "x-twitter-webhooks-signature",
        "x-hub-signature-256", "x-li-signature", "soapaction", "content-length-ish",
    ]),
    header_values,
    max_size=6,
)
queries = st.dictionaries(
    st.sampled_from(["crc_token", "hub.mode", "hub.challenge", "hub.verify_token", "challengeCode", "x"]),
    header_values,
    max_size=3,
)


@pytest.fixture(scope="module")
def endpoints(stack, tenant_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tenant = tenant_factory("fuzz")
    out = {}
    for provider in PROVIDERS:
        secret = "00Do0000000abcdEAA" if provider == "salesforce" else "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
        args = ["webhook", "add", tenant["tenant_id"], provider, "--secret", secret, "--json"]
        if provider == "meta":
            args += ["--verify-token", "token"]
        out[provider] = json.loads(stack.cli(*args))["url"]
    out["events"] = f"{stack.ingest_url}/v1/events"
    out["key"] = tenant["api_key"]
    return out


@pytest.fixture(scope="module")
def tenant_factory(stack):  # type: ignore[no-untyped-def]  # module-scoped twin of the conftest factory
    import os

    def create(label: str) -> dict[str, str]:
        return json.loads(stack.cli("tenant", "create", f"{label}-{os.urandom(6).hex()}", "--json"))

    return create


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from([*PROVIDERS, "events"]), method=st.sampled_from(["POST", "GET"]), body=bodies,
       extra=headers, query=queries, with_key=st.booleans())
def test_no_route_answers_5xx_to_garbage(endpoints, route, method, body, extra, query, with_key) -> None:  # type: ignore[no-untyped-def]
    request_headers = dict(extra)
    if with_key and route == "events":
        request_headers["authorization"] = f"Bearer {endpoints['key']}"
    response = httpx.request(method, endpoints[route], content=body if method == "POST" else None,
                             headers=request_headers, params=query, timeout=30)
    assert response.status_code < 500, (route, method, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text[:200]


def test_the_service_still_serves_after_the_fuzzing(endpoints) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(endpoints["events"].replace("/v1/events", "/readyz"), timeout=10).status_code == 200
