import json

import pytest


def test_tenant_create_prints_id_and_key_once_and_names_are_unique(stack) -> None:  # type: ignore[no-untyped-def]
    name = "cli-tenant-" + __import__("os").urandom(4).hex()
    created = json.loads(stack.cli("tenant", "create", name, "--json"))
    assert set(created) == {"tenant_id", "api_key"} and created["api_key"].startswith("ssi_")
    with pytest.raises(RuntimeError, match="exists already"):
        stack.cli("tenant", "create", name, "--json")
