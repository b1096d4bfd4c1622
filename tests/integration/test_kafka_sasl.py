"""Kafka with SASL (SCRAM-SHA-512) on the test broker's SASL_PLAINTEXT listener (deploy/kafka.sh,
KAFKA_SASL_PORT): an ingest whose producer authenticates gets its events on Kafka (the stack's scorer scores
them), the CLI's admin and consumer clients connect the same way, and a wrong password gets no event in."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from stack import ROOT, TEST_SASL_PASSWORD, TEST_SASL_USER
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event
from shared.kafka_producer import KafkaUnavailable, Producer
from tests.integration.extra_service import extra_service


def sasl_env(stack, password: str = TEST_SASL_PASSWORD) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "SSI_KAFKA_BOOTSTRAP": f"127.0.0.1:{stack.kafka_sasl_port}",
        "SSI_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "SSI_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "SSI_KAFKA_SASL_USERNAME": TEST_SASL_USER,
        "SSI_KAFKA_SASL_PASSWORD": password,
    }


async def test_clients_authenticate_with_scram_and_a_wrong_password_gets_nothing_in(stack, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key = tenant["api_key"]
    with extra_service(stack, "ingest", sasl_env(stack), "ingest-sasl") as (url, _):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.get("/readyz")).status_code == 200
            sent = await client.post("/v1/events", json=[cloud_event("sasl-rep")], headers=bearer(key))
            assert sent.status_code == 202, sent.text
    await wait_for_score(api, key, "sasl-rep", 1)

    for args in (["topics", "ensure"], ["deadletter", "list", "--tenant", tenant["tenant_id"]]):
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "ssi"), *args], env={**stack.env(), **sasl_env(stack)},
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]

    plaintext = Producer(f"127.0.0.1:{stack.kafka_sasl_port}", timeout=5.0)  # no SASL on the SASL listener
    with pytest.raises(KafkaUnavailable):
        await plaintext.send_all([("ssi.activity.v1", b"k", b"v")])
    await plaintext.stop()

    with extra_service(stack, "ingest", sasl_env(stack, "wrong-password"), "ingest-sasl-wrong") as (url, _):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.get("/readyz")).status_code == 503
            refused = await client.post("/v1/events", json=[cloud_event("sasl-wrong")], headers=bearer(key))
            assert refused.status_code == 503 and "Retry-After" in refused.headers


async def test_the_faust_scorer_and_the_sink_run_over_scram(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    """The stack's own scorer worker (same group and tables) and sink, restarted with only the SASL listener's
    address (a client without SCRAM is refused there), score an event end to end: Faust's consumer, producer and
    changelogs, and the sink's consumer, authenticate."""
    for name in ("scorer", "sink"):
        stack.stop_service(name)
        stack.start_service(name, sasl_env(stack))
    try:
        for name in ("scorer", "sink"):
            stack.wait_ready(name, 180)
        sent = await ingest.post("/v1/events", json=[cloud_event("sasl-faust")], headers=bearer(tenant["api_key"]))
        assert sent.status_code == 202
        await wait_for_score(api, tenant["api_key"], "sasl-faust", 1, timeout=120)
    finally:
        for name in ("scorer", "sink"):
            stack.stop_service(name)
            stack.start_service(name)
        for name in ("scorer", "sink"):
            stack.wait_ready(name, 180)
