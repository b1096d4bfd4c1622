"""The ingest service on the real stack: authentication, validation, limits, and 503 when Kafka is away."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import BATCH, SINGLE, bearer, cloud_event


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


async def test_one_event_is_accepted(ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    response = await ingest.post("/v1/events", json=cloud_event("r1"), headers=bearer(tenant["api_key"], SINGLE))
    assert response.status_code == 202 and response.json() == {"accepted": 1}


async def test_missing_or_wrong_key_is_401(ingest) -> None:  # type: ignore[no-untyped-def]
    no_key = await ingest.post("/v1/events", json=[cloud_event("r")], headers={"Content-Type": BATCH})
    assert "Bearer" in _problem(no_key, 401)["detail"]
    assert no_key.headers["www-authenticate"].startswith("Bearer")
    wrong = await ingest.post("/v1/events", json=[cloud_event("r")], headers=bearer("ssi_not-a-key"))
    _problem(wrong, 401)


async def test_invalid_events_are_400_naming_the_field(ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    batch = [cloud_event("r"), {**cloud_event("r"), "time": "not-a-time"}]
    body = _problem(await ingest.post("/v1/events", json=batch, headers=bearer(tenant["api_key"])), 400)
    assert [e["pointer"] for e in body["errors"]] == ["/1/time"]
    malformed = await ingest.post("/v1/events", content=b"{", headers=bearer(tenant["api_key"]))
    assert _problem(malformed, 400)["title"] == "Malformed JSON"
    future = cloud_event("r", time=datetime.now(UTC) + timedelta(minutes=30))
    body = _problem(await ingest.post("/v1/events", json=[future], headers=bearer(tenant["api_key"])), 400)
    assert body["errors"][0]["pointer"] == "/0/time" and "in the future" in body["errors"][0]["detail"]


async def test_media_type_and_size_limits(ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    _problem(await ingest.post("/v1/events", content=b"x", headers=bearer(key, "text/plain")), 415)
    huge = b"[" + b" " * (1_048_576 + 10) + b"]"
    _problem(await ingest.post("/v1/events", content=huge, headers=bearer(key)), 413)
    too_many = [cloud_event("r") for _ in range(1001)]
    _problem(await ingest.post("/v1/events", json=too_many, headers=bearer(key)), 413)


async def test_health_readiness_metrics_and_docs(ingest) -> None:  # type: ignore[no-untyped-def]
    assert (await ingest.get("/healthz")).status_code == 200
    assert (await ingest.get("/readyz")).json() == {"status": "ready"}
    metrics = (await ingest.get("/metrics")).text
    for name in ("ssi_ingest_events_total", "ssi_ingest_requests_total", "ssi_ingest_kafka_produce_seconds_bucket"):
        assert name in metrics
    assert "/v1/events" in (await ingest.get("/openapi.json")).json()["paths"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kafka_unreachable_gives_503_with_retry_after(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    """A second ingest pointed at a port where no Kafka listens: it must refuse with 503, never accept."""
    port, dead_kafka = _free_port(), _free_port()
    env = {**stack.env(), "SSI_INGEST_PORT": str(port), "SSI_KAFKA_BOOTSTRAP": f"127.0.0.1:{dead_kafka}",
           "SSI_INGEST_PRODUCE_TIMEOUT_SECONDS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "services.ingest"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        response = httpx.post(f"http://127.0.0.1:{port}/v1/events", json=[cloud_event("r")],
                              headers=bearer(tenant["api_key"]), timeout=30)
        body = _problem(response, 503)
        assert int(response.headers["retry-after"]) > 0 and "retry" in body["detail"]
        hook = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "x", "--secret", "xs", "--json"))
        payload = json.dumps({"for_user_id": "1", "favorite_events": [{
            "id": "f1", "timestamp_ms": int(time.time() * 1000), "favorited_status": {"user": {"id_str": "1"}},
            "user": {"id_str": "2"}}]}).encode()
        signature = "sha256=" + base64.b64encode(hmac.new(b"xs", payload, hashlib.sha256).digest()).decode()
        hooked = httpx.post(f"http://127.0.0.1:{port}/v1/webhooks/x/{hook['endpoint_id']}", content=payload,
                            headers={"x-twitter-webhooks-signature": signature, "content-type": "application/json"},
                            timeout=30)
        assert hooked.status_code == 503 and int(hooked.headers["retry-after"]) > 0
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30)
        assert ready.status_code == 503 and "kafka" in ready.json()["checks"]
    finally:
        proc.terminate()
        proc.wait(10)
