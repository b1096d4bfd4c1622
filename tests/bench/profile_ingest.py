#!/usr/bin/env python3
"""Where an ingest request's CPU goes: CPU microseconds per request of the ingest, the broker and wrk for one
case under wrk load, optionally with a py-spy profile of one ingest worker (a developer's tool, not a test).

    SSI_PORT_OFFSET=100 .venv/bin/python tests/bench/profile_ingest.py up          # bench Kafka + Postgres, a tenant
    SSI_PORT_OFFSET=100 .venv/bin/python tests/bench/profile_ingest.py run event --workers 1 --py-spy /tmp/p.txt
    SSI_PORT_OFFSET=100 .venv/bin/python tests/bench/profile_ingest.py down

Cases: event, x, hubspot, standard, batch, bare. Each run starts the service afresh (so it runs the code as it
is now), warms up for 3 s, measures for SSI_BENCH_SECONDS (10) and stops it. ``--py-spy FILE`` writes py-spy's
raw (collapsed) stacks of the first worker and prints the heaviest frames, inclusive and by self time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import orjson  # noqa: E402

import bench_ingest as bench  # noqa: E402

STATE = "profile.json"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def up(stack: bench.Stack) -> None:
    stack.destroy_infra()
    stack.start_infra()
    tenant = json.loads(stack.cli("tenant", "create", "profile-ingest", "--json"))
    hooks = {}
    secrets = {"x": "bench-x-secret", "hubspot": "bench-hubspot-secret",
               "standard": "whsec_" + __import__("base64").b64encode(os.urandom(32)).decode()}
    for provider, secret in secrets.items():
        hooks[provider] = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], provider, "--secret", secret,
                                               "--json"))["url"]
    (stack.state_dir / STATE).write_text(json.dumps({"tenant": tenant, "hooks": hooks, "secrets": secrets}))


def request_for(case: str, state: dict, url_base: str) -> tuple[str, bytes, dict[str, str], int]:
    auth = {"Authorization": f"Bearer {state['tenant']['api_key']}"}
    secrets = state["secrets"]  # the webhook URLs on the port this run serves on (HubSpot signs the URL)
    hooks = {name: url_base + "/v1/webhooks/" + url.split("/v1/webhooks/", 1)[1] for name, url in state["hooks"].items()}
    if case == "event":
        return (f"{url_base}/v1/events", orjson.dumps(bench.cloud_event(1)),
                {**auth, "Content-Type": "application/cloudevents+json"}, 1)
    if case == "batch":
        return (f"{url_base}/v1/events", orjson.dumps([bench.cloud_event(i) for i in range(bench.BATCH)]),
                {**auth, "Content-Type": "application/cloudevents-batch+json"}, bench.BATCH)
    if case == "bare":
        return (f"{url_base}/v1/events", orjson.dumps(bench.cloud_event(1)),
                {"Content-Type": "application/cloudevents+json"}, 1)
    if case == "x":
        return (hooks["x"], *bench.x_delivery(secrets["x"]), 1)
    if case == "hubspot":
        return (hooks["hubspot"], *bench.hubspot_delivery(hooks["hubspot"], secrets["hubspot"]), 1)
    if case == "standard":
        return (hooks["standard"], *bench.standard_delivery(secrets["standard"]), 1)
    raise SystemExit(f"unknown case {case}")


def run(stack: bench.Stack, case: str, workers: int, py_spy: str | None, extra_env: dict[str, str]) -> None:
    state = json.loads((stack.state_dir / STATE).read_text())
    wrk = bench.ensure_wrk()
    if case == "bare":
        port = stack.ingest_port + bench.BARE_PORT_SHIFT
        proc = subprocess.Popen([sys.executable, bench.__file__, "--serve-bare", str(port), str(workers)], cwd=ROOT,
                                env=stack.env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        bench.wait_http(f"http://127.0.0.1:{port}/docs")
        url_base = f"http://127.0.0.1:{port}"
    else:
        proc = stack.start_service("ingest", {"SSI_INGEST_WORKERS": str(workers), **extra_env})
        port = int(extra_env.get("SSI_INGEST_PORT", stack.ingest_port))
        bench.wait_http(f"http://127.0.0.1:{port}/readyz")
        url_base = f"http://127.0.0.1:{port}"
    try:
        url, body, headers, n = request_for(case, state, url_base)
        pids = children(proc.pid) if workers > 1 else [proc.pid]
        kafka = stack.kafka_pid()
        with tempfile.TemporaryDirectory(prefix="ssi-prof-") as tmp:
            bench.run_wrk.__globals__["SECONDS"] = 3  # warm-up run (also warms caches and the producer)
            bench.run_wrk(wrk, url, body, headers, n, Path(tmp))
            bench.run_wrk.__globals__["SECONDS"] = int(os.environ.get("SSI_BENCH_SECONDS", "10"))
            spy = None
            if py_spy:
                spy = subprocess.Popen([str(ROOT / ".venv" / "bin" / "py-spy"), "record", "-p", str(pids[0]), "-d", str(bench.SECONDS), "-r", "250",
                                        "-f", "raw", "-o", py_spy, "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            before = {p: cpu_seconds(p) for p in [*pids, kafka]}
            load = os.getloadavg()[0]
            figures = bench.run_wrk(wrk, url, body, headers, n, Path(tmp))
            after = {p: cpu_seconds(p) for p in [*pids, kafka]}
            if spy:
                spy.wait(60)
        requests = figures.requests_per_s * bench.SECONDS
        server = sum(after[p] - before[p] for p in pids)
        broker = after[kafka] - before[kafka]
        print(f"{case}: {figures.requests_per_s:.0f} requests/s, p50 {figures.p50_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms,"
              f" non-2xx {figures.non_2xx}; CPU per request: server {server / requests * 1e6:.0f} us"
              f" ({server / bench.SECONDS:.2f} cores), Kafka {broker / requests * 1e6:.0f} us ({broker / bench.SECONDS:.2f}"
              f" cores), wrk {figures.generator_cpu / figures.requests_per_s * 1e6:.0f} us; load average {load:.1f}")
        if py_spy:
            summarize(py_spy)
            categorize(py_spy)
    finally:
        if case == "bare":
            proc.terminate()
            proc.wait(20)
        else:
            stack.stop_service("ingest")


CATEGORIES = [  # (label, a fragment of a frame); a sample goes to the category of its leaf-most matching frame
    ("event loop, uvicorn and other", "shared/http/serve.py"),  # reached only by samples outside any request
    ("Kafka client (aiokafka and our producer wrapper)", "aiokafka/"),
    ("Kafka client (aiokafka and our producer wrapper)", "shared/kafka_producer"),
    ("prometheus metrics", "prometheus_client/"),
    ("event validation (orjson, pydantic, checks)", "parse_events ("),
    ("event validation (orjson, pydantic, checks)", "shared/events.py"),
    ("API key / endpoint lookup (cache, database)", "shared/http/auth.py"),
    ("API key / endpoint lookup (cache, database)", "shared/ttlcache.py"),
    ("API key / endpoint lookup (cache, database)", "_endpoint ("),
    ("webhook signature and parsing", "services/ingest/webhooks/"),
    ("webhook signature and parsing", "_inbound ("),
    ("webhook signature and parsing", "_verify ("),
    ("reading the body", "shared/http/bodies.py"),
    ("writing the answer (uvicorn send, socket write)", "RequestResponseCycle.send ("),
    ("HTTP parsing (uvicorn, httptools)", "data_received ("),
    ("FastAPI and Starlette layers", "starlette/"),
    ("FastAPI and Starlette layers", "fastapi/"),
    ("request id, timer, problem answers", "shared/http/request_id.py"),
    ("request id, timer, problem answers", "shared/http/observability.py"),
    ("request id, timer, problem answers", "shared/http/problems.py"),
    ("request id, timer, problem answers", "services/ingest/hot_path.py"),
    ("request id, timer, problem answers", "shared/http/hot_path.py"),
    ("route code (records, quota, the rest)", "services/ingest/"),
]


def categorize(path: str) -> None:
    """Samples by where they were: each goes to the category of its leaf-most frame that matches one."""
    counts: Counter[str] = Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        label = next((label for frame in reversed(stack.split(";")) for label, fragment in CATEGORIES
                      if fragment in frame), "event loop, uvicorn and other")
        counts[label] += int(count)
    print(f"{total} samples by category:")
    for label, count in counts.most_common():
        print(f"  {count / total:6.1%}  {label}")


def summarize(path: str, top: int = 45) -> None:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    print(f"{total} samples; inclusive:")
    for frame, count in inclusive.most_common(top):
        print(f"  {count / total:6.1%}  {frame[:150]}")
    print("self:")
    for frame, count in own.most_common(25):
        print(f"  {count / total:6.1%}  {frame[:150]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["up", "run", "down", "summary"])
    parser.add_argument("case", nargs="?", default="event")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--py-spy")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the ingest")
    args = parser.parse_args()
    stack = bench.Stack.for_profile("bench")
    if args.action == "up":
        up(stack)
    elif args.action == "down":
        stack.stop_infra()
    elif args.action == "summary":
        summarize(args.case)
        categorize(args.case)
    else:
        run(stack, args.case, args.workers, args.py_spy, dict(e.split("=", 1) for e in args.env))


if __name__ == "__main__":
    main()
