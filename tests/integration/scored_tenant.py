"""A tenant with reps in the directory and scored through the real pipeline, for module fixtures."""

from __future__ import annotations

import json
import os
import time

import httpx

from tests.factories import bearer


def scored_tenant(stack, label: str, reps: dict[str, dict], events: list[dict], timeout: float = 120) -> dict:  # type: ignore[no-untyped-def]
    """A new tenant (the CLI's answer: tenant_id, api_key) whose ``reps`` (rep id -> directory entry) are put in
    the directory and scored from ``events``, sent through the ingest; returned once every rep has a score."""
    tenant = json.loads(stack.cli("tenant", "create", f"{label}-{os.urandom(6).hex()}", "--json"))
    key = tenant["api_key"]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(key, "application/json")) as api:
        for rep, entry in reps.items():
            assert api.put(f"/v1/reps/{rep}", json=entry).status_code == 201
    with httpx.Client(base_url=stack.ingest_url, timeout=30) as ingest:
        assert ingest.post("/v1/events", content=json.dumps(events), headers=bearer(key)).status_code == 202
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=stack.api_url, timeout=30, headers=bearer(key)) as api:
        while any(api.get(f"/v1/reps/{rep}/score").status_code != 200 for rep in reps):
            assert time.monotonic() < deadline, f"the reps were not scored in {timeout:.0f} s"
            time.sleep(0.5)
    return tenant
