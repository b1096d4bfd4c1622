"""A real Prometheus (Debian's package) with the configuration and rules of deploy/prometheus/, scraping the
supervised stack: every target is up, and alerts fire for real when the scorer or the broker stops.

The rules are ssi-rules.yaml with every `for:` shortened to a few seconds (deploy/prometheus_local.fast_rules)
and a 1 s scrape and evaluation interval; everything else (expressions, labels, runbook links) is as shipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from prometheus_local import RULES, fast_rules, prometheus_port, start, targets, wait_ready
from tests.factories import bearer, cloud_event
from tests.ops.conftest import Supervised

ALERT_SECONDS = 120.0


class Prometheus:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:  # noqa: S310 - loopback only
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def alerts(self, name: str) -> list[dict]:
        return [a for a in self.get("/api/v1/alerts")["alerts"] if a["labels"]["alertname"] == name]

    def wait_firing(self, name: str, timeout: float = ALERT_SECONDS) -> dict:
        deadline = time.monotonic() + timeout
        seen: list[dict] = []
        while time.monotonic() < deadline:
            seen = self.alerts(name)
            firing = [a for a in seen if a["state"] == "firing"]
            if firing:
                return firing[0]
            time.sleep(1)
        raise AssertionError(f"{name} never fired within {timeout:.0f}s; last seen: {seen}")

    def wait_quiet(self, name: str, timeout: float = ALERT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alerts(name):
                return
            time.sleep(1)
        raise AssertionError(f"{name} still active after {timeout:.0f}s: {self.alerts(name)}")


@pytest.fixture(scope="module")
def prometheus(supervised: Supervised) -> Iterator[Prometheus]:
    stack = supervised.stack
    workdir = stack.state_dir / "prometheus"
    workdir.mkdir(parents=True, exist_ok=True)
    rules = workdir / "ssi-rules.fast.yaml"
    rules.write_text(fast_rules(RULES.read_text(), "5s"))
    proc = start(stack, workdir, [rules], interval="1s")
    try:
        wait_ready(stack, proc)
        yield Prometheus(prometheus_port(stack))
    finally:
        proc.terminate()
        proc.wait(30)


def test_prometheus_scrapes_every_process_of_the_stack_and_loads_every_rule(
    supervised: Supervised, prometheus: Prometheus
) -> None:
    expected = {(job, name) for job, names in targets(supervised.stack).items() for name in names}
    assert len([n for j, n in expected if j == "ssi-scorer"]) == supervised.stack.scorer_workers >= 2
    deadline = time.monotonic() + 60
    health: dict[tuple[str, str], str] = {}
    while time.monotonic() < deadline:
        active = prometheus.get("/api/v1/targets")["activeTargets"]
        health = {(t["labels"]["job"], t["labels"]["process"]): t["health"] for t in active}
        if set(health) == expected and all(h == "up" for h in health.values()):
            break
        time.sleep(1)
    assert set(health) == expected and all(h == "up" for h in health.values()), health
    loaded = {r["name"] for g in prometheus.get("/api/v1/rules")["groups"] for r in g["rules"]}
    assert {"SsiScorerDown", "SsiIngestKafkaUnavailable", "ssi:ingest_availability:ratio_rate5m",
            "ssi:scorer_freshness_p99_seconds:rate5m", "ssi:scorer_lag_records:sum"} <= loaded
    # the SLO recordings have data from the live stack (the scorer reports its lag every 5 s)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not prometheus.get("/api/v1/query?query=ssi:scorer_lag_records:sum")["result"]:
        time.sleep(1)
    assert prometheus.get("/api/v1/query?query=ssi:scorer_lag_records:sum")["result"]


def test_scorer_down_fires_when_a_scoring_worker_stops_and_clears_when_it_is_back(
    supervised: Supervised, prometheus: Prometheus
) -> None:
    pid = supervised.pid("scorer")
    assert pid
    os.kill(pid, signal.SIGSTOP)  # stopped, not dead: the supervisor leaves it be, and it answers nothing
    try:
        alert = prometheus.wait_firing("SsiScorerDown")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert alert["labels"]["instance"] == f"127.0.0.1:{supervised.stack.scorer_port}"
    assert alert["annotations"]["runbook_url"].endswith("/deploy/RUNBOOK.md#ssiscorerdown")
    assert not [a for a in prometheus.alerts("SsiProcessDown") if a["state"] == "firing"]
    prometheus.wait_quiet("SsiScorerDown")


async def test_kafka_unavailable_fires_when_the_broker_stops(supervised: Supervised, prometheus: Prometheus) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"prom-{os.urandom(4).hex()}", "--json"))
    pid = supervised.pid("kafka")
    assert pid
    stop = asyncio.Event()
    answers: list[int] = []

    async def sender() -> None:  # a sender that keeps trying while the broker is stopped
        async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=30) as client:
            while not stop.is_set():
                response = await client.post("/v1/events", json=[cloud_event("prom-rep")],
                                             headers=bearer(tenant["api_key"]))
                answers.append(response.status_code)
                if response.status_code != 202:
                    await asyncio.sleep(0.5)

    os.kill(pid, signal.SIGSTOP)
    tasks = [asyncio.create_task(sender()) for _ in range(3)]
    try:
        alert = await asyncio.to_thread(prometheus.wait_firing, "SsiIngestKafkaUnavailable")
    finally:
        os.kill(pid, signal.SIGCONT)
        stop.set()
        await asyncio.gather(*tasks)
    assert 503 in answers
    assert alert["labels"]["severity"] == "page"
    assert alert["annotations"]["runbook_url"].endswith("/deploy/RUNBOOK.md#ssiingestkafkaunavailable")
    # the stack is whole again for whatever runs next
    for name in ("ingest", "api"):
        stack.wait_ready(name, timeout=180)
