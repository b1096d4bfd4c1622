import json

import pytest


def test_tenant_create_prints_id_and_key_once_and_names_are_unique(stack) -> None:  # type: ignore[no-untyped-def]
    name = "cli-tenant-" + __import__("os").urandom(4).hex()
    created = json.loads(stack.cli("tenant", "create", name, "--json"))
    assert set(created) == {"tenant_id", "api_key", "key_id"} and created["api_key"].startswith("ssi_")
    with pytest.raises(RuntimeError, match="exists already"):
        stack.cli("tenant", "create", name, "--json")


def test_webhook_add_validates_what_it_stores(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="unknown provider"):
        stack.cli("webhook", "add", tenant["tenant_id"], "myspace", "--secret", "s", "--json")
    with pytest.raises(RuntimeError, match="base64"):
        stack.cli("webhook", "add", tenant["tenant_id"], "standard", "--secret", "whsec_???", "--json")
    with pytest.raises(RuntimeError, match="verify-token"):
        stack.cli("webhook", "add", tenant["tenant_id"], "meta", "--secret", "s", "--json")
    with pytest.raises(RuntimeError, match="no tenant"):
        stack.cli("webhook", "add", "00000000-0000-0000-0000-000000000000", "x", "--secret", "s", "--json")
    created = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "x", "--secret", "s3cr3t-value", "--json"))
    assert created["url"] == f"{stack.ingest_url}/v1/webhooks/x/{created['endpoint_id']}"
    assert len(created["endpoint_id"]) >= 32  # unguessable
    assert "s3cr3t-value" not in (stack.state_dir / "ingest.log").read_text()
