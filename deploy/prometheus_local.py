#!/usr/bin/env python3
"""A real Prometheus for a stack on this machine: deploy/prometheus/prometheus.yml with the stack's own ports.

    python deploy/prometheus_local.py --profile dev    # `make prometheus`, beside `make run`; Ctrl-C stops it

It scrapes every process of the stack (ingest, api, every scorer worker, sink) with the rules of
deploy/prometheus/ssi-rules.yaml, and serves its UI on the stack's api port + 9 (http://127.0.0.1:8009 for
`make run`). The tests (tests/ops/test_prometheus.py) start it the same way, with a rules variant whose `for:`
durations are seconds (fast_rules), so that alerts fire within a test.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from stack import CHILD_OPTIONS, PROFILES, ROOT, Stack

CONFIG_DIR = ROOT / "deploy" / "prometheus"
RULES = CONFIG_DIR / "ssi-rules.yaml"


def targets(stack: Stack) -> dict[str, list[str]]:
    """Prometheus job name -> the stack's processes it scrapes."""
    return {"ssi-ingest": ["ingest"], "ssi-api": ["api"], "ssi-scorer": stack.scorer_names(), "ssi-sink": ["sink"]}


def metrics_port(stack: Stack, name: str) -> int:
    if name.startswith("scorer"):
        return stack.worker_port(name)
    return {"ingest": stack.ingest_port, "api": stack.api_port, "sink": stack.sink_port}[name]


def prometheus_port(stack: Stack) -> int:
    return stack.api_port + 9


def render(stack: Stack, rule_files: list[Path], interval: str = "15s") -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml, each job's discovery replaced by the stack's own addresses."""
    config = yaml.safe_load((CONFIG_DIR / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval}
    config["rule_files"] = [str(path) for path in rule_files]
    jobs = targets(stack)
    for job in config["scrape_configs"]:
        names = jobs.pop(job["job_name"])
        job.pop("dns_sd_configs", None)
        job["static_configs"] = [
            {"targets": [f"127.0.0.1:{metrics_port(stack, name)}"], "labels": {"process": name}} for name in names
        ]
    if jobs:
        raise ValueError(f"deploy/prometheus/prometheus.yml has no job for {sorted(jobs)}")
    return config


def fast_rules(text: str, for_duration: str) -> str:
    """The rules with every alert's `for:` set to ``for_duration`` (tests: alerts fire within seconds)."""
    rules = yaml.safe_load(text)
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule and "for" in rule:
                rule["for"] = for_duration
    return yaml.safe_dump(rules, sort_keys=False)


def start(stack: Stack, workdir: Path, rule_files: list[Path], interval: str = "15s") -> subprocess.Popen:
    """Write the rendered configuration into ``workdir`` and start Prometheus on it (fresh storage)."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise SystemExit("prometheus not found: `make prometheus-tools` installs Debian's prometheus package")
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "data", ignore_errors=True)
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(render(stack, rule_files, interval), sort_keys=False))
    log = open(workdir / "prometheus.log", "ab")  # noqa: SIM115 - owned by the child process
    return subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port(stack)}", "--log.level=warn"],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT, **CHILD_OPTIONS,
    )


def wait_ready(stack: Stack, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    url = f"http://127.0.0.1:{prometheus_port(stack)}/-/ready"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prometheus exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"prometheus not ready at {url} after {timeout:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="dev")
    parser.add_argument("--interval", default="5s", help="scrape and rule evaluation interval")
    args = parser.parse_args()
    stack = Stack.for_profile(args.profile)
    workdir = stack.state_dir / "prometheus"
    proc = start(stack, workdir, [RULES], args.interval)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        wait_ready(stack, proc)
        port = prometheus_port(stack)
        print(f"Prometheus: http://127.0.0.1:{port}/targets  alerts: http://127.0.0.1:{port}/alerts  "
              f"(log {workdir / 'prometheus.log'}). Ctrl-C stops it.", flush=True)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
