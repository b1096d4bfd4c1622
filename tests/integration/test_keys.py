"""`ssi key create|list|revoke` on the real stack: several keys per tenant, names and last-used times, and a
revoked key refused by every process (api and ingest) within seconds."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.factories import bearer, cloud_event

REVOCATION_BOUND_SECONDS = 5 + 2  # the processes' key cache, plus slack for a loaded machine


def works(stack, key: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    api = httpx.get(f"{stack.api_url}/v1/reps/nobody", headers=bearer(key), timeout=30).status_code
    ingest = httpx.post(f"{stack.ingest_url}/v1/events", json=[cloud_event("key-rep")], headers=bearer(key),
                        timeout=30).status_code
    return api, ingest


def test_keys_are_several_named_listed_and_revoked_everywhere_within_seconds(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    tid = tenant["tenant_id"]
    second = json.loads(stack.cli("key", "create", tid, "--name", "ci deploys", "--json"))
    assert set(second) == {"key_id", "api_key"} and second["api_key"].startswith("ssi_")
    assert works(stack, tenant["api_key"]) == (404, 202) and works(stack, second["api_key"]) == (404, 202)

    listed = [json.loads(line) for line in stack.cli("key", "list", tid).splitlines()]
    assert [k["name"] for k in listed] == ["first", "ci deploys"]
    assert all(k["last_used_at"] and k["revoked_at"] is None for k in listed)
    assert {k["key_id"] for k in listed} == {tenant["key_id"], second["key_id"]}
    assert not any(tenant["api_key"] in line or second["api_key"] in line for line in stack.cli("key", "list", tid).splitlines())

    assert works(stack, tenant["api_key"]) == (404, 202)  # both processes have the key in their cache now
    revoked_at = time.monotonic()
    assert json.loads(stack.cli("key", "revoke", tid, tenant["key_id"])) == {"revoked": tenant["key_id"]}
    while works(stack, tenant["api_key"]) != (401, 401):
        assert time.monotonic() - revoked_at < REVOCATION_BOUND_SECONDS, "the revoked key still works"
        time.sleep(0.25)
    assert works(stack, second["api_key"]) == (404, 202)  # the other key goes on: rotation without downtime
    again = [json.loads(line) for line in stack.cli("key", "list", tid).splitlines()]
    assert [bool(k["revoked_at"]) for k in again] == [True, False]


def test_key_commands_refuse_what_is_not_theirs(stack, tenant, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    other = tenant_factory("keys-other")
    with pytest.raises(RuntimeError, match="has no active key"):  # another tenant's key
        stack.cli("key", "revoke", tenant["tenant_id"], other["key_id"])
    assert works(stack, other["api_key"])[0] == 404  # untouched
    with pytest.raises(RuntimeError, match="has no active key"):
        stack.cli("key", "revoke", tenant["tenant_id"], str(uuid.uuid4()))
    with pytest.raises(RuntimeError, match="TENANT is the tenant id"):
        stack.cli("key", "create", "acme", "--json")
    with pytest.raises(RuntimeError, match="no tenant"):
        stack.cli("key", "create", str(uuid.uuid4()), "--json")
    assert stack.cli("key", "list", str(uuid.uuid4())) == ""
