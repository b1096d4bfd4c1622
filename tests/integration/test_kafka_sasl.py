"""Kafka with SASL (SCRAM-SHA-512) on the test broker's SASL_PLAINTEXT listener (deploy/kafka.sh,
KAFKA_SASL_PORT): an ingest whose producer authenticates gets its events on Kafka (the stack's scorer scores
them), the CLI's admin and consumer clients connect the same way, and a wrong password gets no event in."""

from __future__ import annotations

import subprocess

import httpx

from stack import ROOT, TEST_SASL_PASSWORD, TEST_SASL_USER
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event
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

    with extra_service(stack, "ingest", sasl_env(stack, "wrong-password"), "ingest-sasl-wrong") as (url, _):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.get("/readyz")).status_code == 503
            refused = await client.post("/v1/events", json=[cloud_event("sasl-wrong")], headers=bearer(key))
            assert refused.status_code == 503 and "Retry-After" in refused.headers
