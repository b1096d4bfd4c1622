"""SSI_INGEST_WORKERS > 1: several processes on one port, and /metrics still tells the truth about all of them
(Prometheus multiprocess mode), whichever worker answers the scrape."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

from tests.factories import SINGLE, bearer, cloud_event


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepted(text: str) -> float:
    match = re.search(r'^ssi_ingest_requests_total\{outcome="accepted"\} ([0-9.e+]+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def test_two_workers_share_the_port_and_metrics_count_every_worker(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {**stack.env(), "SSI_INGEST_PORT": str(port), "SSI_INGEST_WORKERS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "services.ingest"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        workers = [p for p in Path("/proc").iterdir()
                   if p.name.isdigit() and _parent(p) == proc.pid and b"spawn_main" in _cmdline(p)]
        assert len(workers) == 2, "two worker processes under the supervisor"
        sent = 60
        for i in range(sent):  # a fresh connection each time, so the kernel hands them to both workers
            response = httpx.post(f"{base}/v1/events", json=cloud_event(f"w{i}"), headers=bearer(tenant["api_key"], SINGLE))
            assert response.status_code == 202, response.text
        for _ in range(8):  # each scrape on a fresh connection too: any worker may answer, all must agree
            assert _accepted(httpx.get(f"{base}/metrics").text) == sent
    finally:
        proc.terminate()
        proc.wait(20)


def _parent(proc_dir: Path) -> int | None:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _cmdline(proc_dir: Path) -> bytes:
    try:
        return (proc_dir / "cmdline").read_bytes()
    except OSError:
        return b""
