"""Salesforce outbound messages: the org id is checked when the endpoint is added, and an endpoint's source
allow-list is enforced on the client address, with X-Forwarded-For believed only from trusted proxies."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.test_webhooks import SOAP
from tests.integration.extra_service import extra_service

ORG = "00Do0000000abcdEAA"
HEADERS = {"content-type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def message() -> bytes:
    created = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return SOAP.format(org=ORG, notification=f"04l{uuid.uuid4().hex[:15]}", record="00Uo0000000bbbbbbb",
                       owner="005o00000000001", created=created).encode()


@pytest.mark.parametrize("org_id", ["00Do0000000abc", "00Do0000000abcdEAAx", "00Do0000000abcd-AA", ""])
def test_an_org_id_that_is_not_15_or_18_letters_and_digits_is_refused(stack, tenant, org_id) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="15 or 18"):
        stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", "--org-id", org_id, "--json")


def test_the_org_id_is_taken_as_org_id_or_as_the_old_secret_alias(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    for args in (["--org-id", ORG], ["--secret", ORG], ["--org-id", ORG[:15]]):
        created = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", *args, "--json"))
        assert "/v1/webhooks/salesforce/" in created["url"]
    assert "the endpoint URL is the only real secret" in " ".join(stack.cli("webhook", "add", "--help").split())


def test_the_allow_list_uses_the_tcp_peer_without_trusted_proxies(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    created = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", "--org-id", ORG,
                                   "--allow-ip", "13.108.0.0/14", "--json"))
    # the test talks from 127.0.0.1, and a forged X-Forwarded-For from an untrusted peer is ignored
    spoofed = httpx.post(created["url"], content=message(), headers={**HEADERS, "X-Forwarded-For": "13.108.1.1"})
    assert spoofed.status_code == 403 and spoofed.headers["content-type"].startswith("application/problem+json")
    assert b"<Ack>true</Ack>" not in spoofed.content
    local = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", "--org-id", ORG,
                                 "--allow-ip", "127.0.0.1", "--json"))
    assert httpx.post(local["url"], content=message(), headers=HEADERS).status_code == 200
    with pytest.raises(RuntimeError, match="not an IP"):
        stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", "--org-id", ORG, "--allow-ip", "salesforce.com")


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_checked(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    created = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "salesforce", "--org-id", ORG,
                                   "--allow-ip", "13.108.0.0/14", "--json"))
    path = created["url"].split("/v1/", 1)[1]
    with extra_service(stack, "ingest", {"SSI_INGEST_TRUSTED_PROXIES": "127.0.0.1"}, "ingest-behind-proxy") as (url, _):
        target = f"{url}/v1/{path}"
        ok = httpx.post(target, content=message(), headers={**HEADERS, "X-Forwarded-For": "13.108.1.1"}, timeout=30)
        assert ok.status_code == 200 and b"<Ack>true</Ack>" in ok.content
        # the client's own header is to the left of what the proxy appended: the proxy's hop decides
        forged = httpx.post(target, content=message(), headers={**HEADERS, "X-Forwarded-For": "13.108.1.1, 198.51.100.7"},
                            timeout=30)
        assert forged.status_code == 403 and "198.51.100.7" in forged.json()["detail"]
        assert httpx.post(target, content=message(), headers=HEADERS, timeout=30).status_code == 403  # the proxy itself
