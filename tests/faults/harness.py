"""One fault run: a tenant with its webhook endpoints and reps, the clients' load, the fault, the drain, the check.

    report = await Harness(stack, tenant).run("kill -9 scorer", fault)   # fault(load) injects and heals
    assert report.ok, report.summary()
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx

from shared.scoring import load_default_model
from stack import Stack
from tests.faults.history import Report
from tests.faults.observe import drain_and_check
from tests.faults.workload import Endpoints, Load, Workload

MODEL = load_default_model()

Fault = Callable[[Load], Awaitable[None]]


def add_endpoint(stack: Stack, tenant_id: str, provider: str, secret: str) -> str:
    path = stack.state_dir / f"secret-{uuid.uuid4().hex}"
    path.write_text(secret)
    try:
        created = json.loads(stack.cli("webhook", "add", tenant_id, provider, "--secret-file", str(path), "--json"))
    finally:
        path.unlink()
    return str(created["url"])


class Harness:
    def __init__(self, stack: Stack, tenant: dict[str, str], *, quota_ingest_url: str | None = None,
                 reps: int = 16, webhooks: bool = True) -> None:
        self.stack = stack
        self.tenant = tenant
        self.quota_ingest_url = quota_ingest_url
        self.reps = [f"rep-{i:02d}" for i in range(reps)]
        self.webhooks = webhooks

    async def workload(self, seed: int, **options: object) -> Workload:
        """The tenant's endpoints (Standard Webhooks, HubSpot with three claimed portals and one unclaimed)."""
        endpoints = Endpoints(ingest_url=self.stack.ingest_url, api_key=self.tenant["api_key"],
                              quota_ingest_url=self.quota_ingest_url)
        standard_reps: list[str] = []
        if self.webhooks:
            endpoints.standard_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
            endpoints.standard_url = add_endpoint(self.stack, self.tenant["tenant_id"], "standard",
                                                  endpoints.standard_secret)
            endpoints.hubspot_secret = uuid.uuid4().hex
            endpoints.hubspot_url = add_endpoint(self.stack, self.tenant["tenant_id"], "hubspot",
                                                 endpoints.hubspot_secret)
            portals = [str(60_000_000 + uuid.uuid4().int % 1_000_000 + i) for i in range(4)]
            endpoints.hubspot_portals = {p: (f"hs-rep-{i}" if i < 3 else None) for i, p in enumerate(portals)}
            standard_reps = ["std-rep-0", "std-rep-1", "std-rep-2"]
            async with httpx.AsyncClient(base_url=self.stack.api_url, timeout=30) as api:
                for portal, rep in endpoints.hubspot_portals.items():
                    if rep is None:
                        continue
                    response = await api.put(f"/v1/reps/{rep}", json={"name": rep, "identities": {"hubspot": portal}},
                                             headers={"Authorization": f"Bearer {self.tenant['api_key']}"})
                    assert response.status_code in (200, 201), response.text
        return Workload(MODEL, endpoints, self.reps, standard_reps=standard_reps, seed=seed, **options)  # type: ignore[arg-type]

    async def run(self, title: str, fault: Fault, *, seed: int = 1, warmup_acks: int = 300, after: float = 5.0,
                  drain_timeout: float = 240.0, workload: Workload | None = None) -> Report:
        """Load, then ``fault(load)`` once ``warmup_acks`` events were acknowledged, then ``after`` seconds more
        of load once the fault healed; then the clients finish their retries and the checker runs."""
        self.assert_alive("before the run")
        workload = workload or await self.workload(seed)
        load = Load(workload).start()
        try:
            await load.wait_for_acks(warmup_acks, since=load.started)
            await fault(load)
            healed = time.monotonic()
            await load.wait_for_acks(50, since=healed)  # acknowledgements flow again after the fault
            await asyncio.sleep(max(0.0, healed + after - time.monotonic()))
        finally:
            load_end = await load.stop()
        report = await drain_and_check(workload, title=title, api_url=self.stack.api_url,
                                     database_url=self.stack.database_url, bootstrap=self.stack.kafka_bootstrap,
                                     tenant_id=self.tenant["tenant_id"], load_end=load_end, timeout=drain_timeout,
                                     history_file=self.stack.state_dir / "faults" / f"{title.replace(' ', '-')}.json")
        self.assert_alive("after the run")  # only what the fault killed may die, and it was restarted
        return report

    def assert_alive(self, when: str) -> None:
        dead = {name: proc.returncode for name, proc in self.stack.processes.items() if proc.poll() is not None}
        assert not dead, f"{when}: {dead} exited:\n" + "\n".join(self.stack.log_tail(n, 15) for n in dead)
