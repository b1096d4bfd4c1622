#!/usr/bin/env python3
"""make bench-ingest: the ingest's throughput beside its ceilings, in one run (prints figures, asserts nothing).

Starts the bench profile's Kafka and Postgres from empty data and, on the same machine:
- a bare FastAPI handler (reads the body, parses it with orjson, answers 202) served exactly as the ingest
  is (shared.http.serve: uvloop, httptools, the same number of worker processes): the ceiling for single
  requests, and the proof that the load generator is not the bottleneck;
- the ingest with nothing else of the product running, with 1 and then 2 worker processes (the bare handler
  the same; SSI_BENCH_WORKERS="1,2" chooses);
- a raw aiokafka producer (acks=all, idempotent) in this process, on the same broker, records the size of
  the ingest's: the ceiling for batches.
HTTP load comes from `wrk` (Debian's; installed with apt-get when missing and root, as deploy/ installs its
packages) with 50 connections and 2 threads, each case warmed up first. Each request of a case is the same
(signatures are made once per round, valid for 5 minutes). wrk, the servers, Kafka and Postgres share the
machine's cores, and so does anything else running on it: a case's requests/s moves by up to a third from one
run of it to the next. So the single-request cases run in SSI_BENCH_ROUNDS (3) rounds, each with its own run of
the bare handler and the cases in a rotated order; a case's ratio is taken against the bare handler of its own
round, and the summary gives each round's ratio, their median (the verdict) and the worst.

    SSI_PORT_OFFSET=200 make bench-ingest    # SSI_BENCH_SECONDS (6) per case and round, SSI_BENCH_ROUNDS (3),
                                             # SSI_BENCH_WORKERS (1,2)

Besides requests/s and latency it prints the CPU microseconds per request of the server, the broker and wrk
(from /proc), so a run on a machine shared with other work still shows what each request costs. The broker is
warmed up with 15 s of single events first: a Kafka just started spent 3-5 times the CPU per request.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from fastapi import FastAPI, Request, Response

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from stack import Stack  # noqa: E402

CONNECTIONS, THREADS = 50, 2
SECONDS = int(os.environ.get("SSI_BENCH_SECONDS", "6"))
WARMUP_SECONDS = 2
ROUNDS = int(os.environ.get("SSI_BENCH_ROUNDS", "3"))
BATCH = 100
RAW_RECORDS = 200_000
BARE_PORT_SHIFT = 90  # the bare handler listens on the ingest's port + this
BROKER_WARMUP_SECONDS = 15


def bare_app() -> FastAPI:
    """The ceiling for single requests: FastAPI with the ingest's own app options, one route that reads the
    body and parses it, nothing else (no auth, no validation, no Kafka, no metrics)."""
    from contextlib import asynccontextmanager

    from shared.http.heap import freeze_startup_heap
    from shared.http.responses import OrjsonResponse

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        freeze_startup_heap()  # as the services do at start-up (shared.http.heap)
        yield

    app = FastAPI(default_response_class=OrjsonResponse, lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False})

    @app.post("/v1/events", status_code=202)
    async def take(request: Request) -> Response:
        doc = orjson.loads(await request.body())
        return Response(b'{"accepted":%d}' % (len(doc) if isinstance(doc, list) else 1), status_code=202,
                        media_type="application/json")

    return app


# --- request bodies, signed as each sender signs ----------------------------------------------------------
def cloud_event(i: int) -> dict:
    return {
        "specversion": "1.0", "id": f"bench-{uuid.uuid4().hex}", "source": "linkedin", "type": "post.published",
        "subject": f"bench-rep-{i % 500}", "time": (datetime.now(UTC) - timedelta(minutes=i % 600)).isoformat(),
        "datacontenttype": "application/json", "data": {"counterpart": {"is_decision_maker": i % 3 == 0}},
    }


def x_delivery(secret: str) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps({"for_user_id": "2244994945", "favorite_events": [{
        "id": uuid.uuid4().hex, "timestamp_ms": int(time.time() * 1000),
        "favorited_status": {"id_str": "1", "user": {"id_str": "2244994945"}}, "user": {"id_str": "777"}}]})
    signature = "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"x-twitter-webhooks-signature": signature, "Content-Type": "application/json"}


def hubspot_delivery(url: str, secret: str) -> tuple[bytes, dict[str, str]]:
    """One contact creation, signed with v3 (method + URL + body + timestamp in ms)."""
    stamp = str(int(time.time() * 1000))
    body = orjson.dumps([{"eventId": 1, "subscriptionId": 1, "portalId": 424242, "appId": 7,
                          "occurredAt": int(stamp) - 1000, "subscriptionType": "contact.creation",
                          "attemptNumber": 0, "objectId": 1, "changeSource": "CRM", "changeFlag": "NEW"}])
    signature = base64.b64encode(hmac.new(secret.encode(), b"POST" + url.encode() + body + stamp.encode(),
                                          hashlib.sha256).digest()).decode()
    return body, {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": stamp,
                  "Content-Type": "application/json"}


def standard_delivery(secret: str) -> tuple[bytes, dict[str, str]]:
    """One CloudEvent, signed by the Standard Webhooks reference library (svix)."""
    from svix.webhooks import Webhook

    msg_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    body = orjson.dumps(cloud_event(0))
    signature = Webhook(secret).sign(msg_id, now, body.decode())
    return body, {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
                  "webhook-signature": signature, "Content-Type": "application/json"}


# --- wrk -----------------------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["bash", "-c", f"SSI_COMPONENT=bench source {ROOT}/deploy/common.sh && apt_install wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: install Debian's wrk (apt-get install wrk), or run as root to let the bench do it")
    return found


LUA = """
local f = assert(io.open([==[{body}]==], "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Figures:
    requests_per_s: float
    events_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    generator_cpu: float  # wrk's CPU seconds per wall second (1.0 = one core)
    server_us: float = 0.0  # CPU microseconds per request of the server's processes (every worker)
    kafka_us: float = 0.0  # ... of the Kafka broker
    load: float = 0.0  # the machine's 1-minute load average as the case started


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds (/proc/PID/stat); a process gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def server_pids(proc: subprocess.Popen) -> list[int]:
    """A server's processes: uvicorn's supervisor and the workers it spawned (or the one process)."""
    out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    return [proc.pid, *(int(p) for p in out)]


def run_wrk(wrk: str, url: str, body: bytes, headers: dict[str, str], events_per_request: int, workdir: Path,
            server: list[int] | None = None, kafka: list[int] | None = None, seconds: int | None = None) -> Figures:
    body_file = workdir / f"body-{uuid.uuid4().hex}"
    body_file.write_bytes(body)
    lines = "\n".join(f'wrk.headers[ [==[{k}]==] ] = [==[{v}]==]' for k, v in headers.items())
    script = workdir / f"case-{uuid.uuid4().hex}.lua"
    script.write_text(LUA.format(body=body_file, headers=lines))
    base = [wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-s", str(script), url]
    subprocess.run([*base[:1], "-d", f"{WARMUP_SECONDS}s", *base[1:]], check=True, capture_output=True)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before, kafka_before = cpu_seconds(server or []), cpu_seconds(kafka or [])
    started = time.monotonic()
    out = subprocess.run([*base[:1], "-d", f"{seconds or SECONDS}s", *base[1:]], check=True, capture_output=True,
                         text=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu, kafka_cpu = cpu_seconds(server or []) - server_before, cpu_seconds(kafka or []) - kafka_before
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, duration_us, p50, p99, worst, status_errors, socket_errors = (int(x) for x in fields)
    rate = requests / (duration_us / 1e6)
    per_request = 1e6 / max(1, requests)
    return Figures(rate, rate * events_per_request, p50 / 1000, p99 / 1000, worst / 1000, status_errors,
                   socket_errors, cpu, server_cpu * per_request, kafka_cpu * per_request, load)


# --- the raw producer ----------------------------------------------------------------------------------------
async def raw_producer(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]], linger_ms: int) -> float:
    """Events/s of a bare aiokafka producer (acks=all, idempotent) sending ``records``, keeping 1000 in flight
    at a time as aiokafka's own produce benchmark does."""
    from aiokafka import AIOKafkaProducer

    from shared.kafka_producer import MAX_BATCH_BYTES

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                linger_ms=linger_ms, max_batch_size=MAX_BATCH_BYTES)
    await producer.start()
    try:
        for key, value in records[:5000]:  # warm-up
            await producer.send(topic, value=value, key=key)
        await producer.flush()
        started = time.perf_counter()
        futures = []
        for key, value in records:
            futures.append(await producer.send(topic, value=value, key=key))
            if len(futures) >= 1000:
                await asyncio.gather(*futures)
                futures = []
        await asyncio.gather(*futures)
        return len(records) / (time.perf_counter() - started)
    finally:
        await producer.stop()


def envelope_records(tenant_id: str, n: int) -> list[tuple[bytes, bytes]]:
    """Keys and values exactly as the ingest writes them (shared.events.ActivityEnvelope)."""
    from shared import topics
    from shared.events import ActivityEnvelope, CloudEvent

    now = datetime.now(UTC)
    out = []
    for i in range(n):
        event = CloudEvent.model_validate(cloud_event(i))
        out.append((topics.rep_key(tenant_id, event.subject).encode(),
                    ActivityEnvelope(tenant_id=tenant_id, received_at=now, event=event).to_bytes()))
    return out


def create_topic(stack: Stack, name: str, partitions: int) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    async def create() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(name, partitions, 1)])
        finally:
            await admin.close()

    asyncio.run(create())


# --- the run -------------------------------------------------------------------------------------------------
def wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error status: the server answers
                return
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Senders:
    """The bench tenant, its webhook endpoints and the request of each case."""

    tenant: dict
    x_url: str
    hub_url: str
    std_url: str
    std_secret: str


def senders(stack: Stack) -> Senders:
    tenant = json.loads(stack.cli("tenant", "create", f"bench-ingest-{uuid.uuid4().hex[:8]}", "--json"))

    def hook(provider: str, secret: str) -> str:
        return json.loads(stack.cli("webhook", "add", tenant["tenant_id"], provider, "--secret", secret, "--json"))["url"]

    std_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    return Senders(tenant, hook("x", "bench-x-secret"), hook("hubspot", "bench-hubspot-secret"),
                   hook("standard", std_secret), std_secret)


Row = tuple[str, Figures | float, str]
SINGLE_CASES = ("bare handler, one event", "POST /v1/events, one event", "X webhook, one event",
                "HubSpot webhook, one event", "Standard Webhooks, one event")


def single_requests(stack: Stack, who: Senders) -> dict[str, tuple[str, bytes, dict[str, str]]]:
    """Each single-request case's URL, body and headers, signed now (the signatures live 5 minutes)."""
    single = orjson.dumps(cloud_event(1))
    auth = {"Authorization": f"Bearer {who.tenant['api_key']}"}
    bare = f"http://127.0.0.1:{stack.ingest_port + BARE_PORT_SHIFT}/v1/events"
    return {
        SINGLE_CASES[0]: (bare, single, {"Content-Type": "application/cloudevents+json"}),
        SINGLE_CASES[1]: (f"{stack.ingest_url}/v1/events", single,
                          {**auth, "Content-Type": "application/cloudevents+json"}),
        SINGLE_CASES[2]: (who.x_url, *x_delivery("bench-x-secret")),
        SINGLE_CASES[3]: (who.hub_url, *hubspot_delivery(who.hub_url, "bench-hubspot-secret")),
        SINGLE_CASES[4]: (who.std_url, *standard_delivery(who.std_secret)),
    }


def measure(stack: Stack, wrk: str, workdir: Path, bare_proc: subprocess.Popen, who: Senders,
            warm_broker: bool) -> list[list[Row]]:
    """The cases against the ingest and the bare handler as they run now (one worker count): ROUNDS rounds of
    the single-request cases, each round with its own bare handler run and the cases in a rotated order (so
    no case always follows the same one, and a slow spell of the machine hits one round, not one case), then
    the batch cases once. Returns one list of rows per round; the batch rows go with the last round."""
    bare = f"http://127.0.0.1:{stack.ingest_port + BARE_PORT_SHIFT}/v1/events"
    batch = orjson.dumps([cloud_event(i) for i in range(BATCH)])
    auth = {"Authorization": f"Bearer {who.tenant['api_key']}"}
    ingest_pids, bare_pids, kafka_pids = server_pids(stack.processes["ingest"]), server_pids(bare_proc), [stack.kafka_pid()]
    if warm_broker:  # a broker just started runs its JVM's produce path uncompiled: 3-5x its CPU per request
        print(f"  warming the broker up ({BROKER_WARMUP_SECONDS} s of single events, not reported) ...", flush=True)
        url, body, headers = single_requests(stack, who)[SINGLE_CASES[1]]
        run_wrk(wrk, url, body, headers, 1, workdir, seconds=BROKER_WARMUP_SECONDS)

    def run(name: str, url: str, body: bytes, headers: dict[str, str], n: int, ceiling: str) -> Row:
        print(f"  {name} ...", flush=True)
        server = bare_pids if url == bare else ingest_pids
        return name, run_wrk(wrk, url, body, headers, n, workdir, server, kafka_pids), ceiling

    rounds: list[list[Row]] = []
    for r in range(ROUNDS):
        print(f"  round {r + 1} of {ROUNDS}:", flush=True)
        requests = single_requests(stack, who)
        order = SINGLE_CASES[r % len(SINGLE_CASES):] + SINGLE_CASES[:r % len(SINGLE_CASES)]
        figures = {name: run(name, *requests[name], 1, "" if name == SINGLE_CASES[0] else "bare") for name in order}
        rounds.append([figures[name] for name in SINGLE_CASES])
    rounds[-1].append(run(f"bare handler, batch of {BATCH}", bare, batch,
                          {"Content-Type": "application/cloudevents-batch+json"}, BATCH, ""))
    rounds[-1].append(run(f"POST /v1/events, batch of {BATCH}", f"{stack.ingest_url}/v1/events", batch,
                          {**auth, "Content-Type": "application/cloudevents-batch+json"}, BATCH, "raw"))
    return rounds


def raw_ceiling(stack: Stack, who: Senders) -> Row:
    from shared.kafka_producer import LINGER_MS

    print("  raw aiokafka producer ...", flush=True)
    create_topic(stack, "ssi.bench.raw", 4)
    records = envelope_records(who.tenant["tenant_id"], RAW_RECORDS)
    rate = asyncio.run(raw_producer(stack.kafka_bootstrap, "ssi.bench.raw", records, LINGER_MS))
    return (f"raw aiokafka producer ({len(records[0][1])} B records)", rate, "")


def cpu_cap(f: Figures) -> float:
    """Requests/s this machine's cores could serve if nothing else ran and every CPU microsecond the case
    cost (server, Kafka, wrk) was spent on it: cores / CPU per request."""
    wrk_us = f.generator_cpu / max(f.requests_per_s, 1e-9) * 1e6
    return (os.cpu_count() or 1) * 1e6 / max(f.server_us + f.kafka_us + wrk_us, 1e-9)


def report(groups: dict[int, list[list[Row]]], raw_row: Row) -> None:
    print(f"\ningest bench (one run; wrk {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s per case after "
          f"{WARMUP_SECONDS} s of warm-up, {ROUNDS} rounds of the single-request cases, each with its own bare "
          f"handler run, the broker warmed up first; wrk, servers, Kafka and Postgres share this machine's "
          f"{os.cpu_count()} cores with whatever else runs on it)")
    for workers, rounds in groups.items():
        plural = "es" if workers > 1 else ""
        for r, rows in enumerate(rounds):
            print(f"\n  {workers} worker process{plural} per server (SSI_INGEST_WORKERS={workers}; the bare handler the "
                  f"same), round {r + 1} of {len(rounds)}")
            table([*rows, raw_row] if r == len(rounds) - 1 else rows, raw_row)
    print("  (non-2xx counts answers that were not 2xx, +Ns socket errors; load avg: the machine's 1-minute load "
          "average as the case started; CPU us per request: the server's processes (all workers), the Kafka "
          "broker and wrk, from their CPU counters over the case; CPU cap: the requests/s these cores could serve "
          "at that CPU per request if nothing else ran, and its ratio to the bare handler's: what the ratio "
          "would be on an idle machine with the CPU as the only limit)")
    for workers, rounds in groups.items():
        summary(workers, rounds, raw_row)


def round_ratios(rounds: list[list[Row]], name: str) -> list[tuple[float, float]]:
    """Per round: the case's requests/s as a share of that round's bare handler, and the case's p99 (ms)."""
    out = []
    for rows in rounds:
        found = dict((n, f) for n, f, _ in rows)
        bare, case = found[SINGLE_CASES[0]], found[name]
        assert isinstance(bare, Figures) and isinstance(case, Figures)
        out.append((case.requests_per_s / bare.requests_per_s, case.p99_ms))
    return out


def summary(workers: int, rounds: list[list[Row]], raw_row: Row) -> None:
    """The verdict on the targets: each case's ratio to the bare handler of its own round, round by round, with
    the median and the worst; the worst p99 of single events; the batch against the raw producer."""
    print(f"\n  summary, {workers} worker process{'es' if workers > 1 else ''}: ratio to the bare handler run in the "
          f"same round (rounds in order), median and worst")
    for name in SINGLE_CASES[1:]:
        pairs = round_ratios(rounds, name)
        ratios = [r for r, _ in pairs]
        median = statistics.median(ratios)
        p99 = max(p for _, p in pairs)
        target = "met" if median >= 0.5 and (p99 < 50 or "/v1/events" not in name) else "NOT met"
        print(f"  {name:38s} {' '.join(f'{r:4.0%}' for r in ratios)}   median {median:4.0%}, worst {min(ratios):4.0%}; "
              f"worst p99 {p99:.1f} ms; target (median >= 50%{', p99 < 50 ms' if '/v1/events' in name else ''}): "
              f"{target}")
    batch = next(f for n, f, _ in rounds[-1] if n.startswith("POST /v1/events, batch"))
    raw = raw_row[1]
    assert isinstance(batch, Figures) and isinstance(raw, float)
    print(f"  {'POST /v1/events, batch of ' + str(BATCH):38s} {batch.events_per_s:.0f} events/s = "
          f"{batch.events_per_s / raw:.0%} of the raw producer's {raw:.0f} (target >= 50%: "
          f"{'met' if batch.events_per_s >= raw / 2 else 'NOT met'})")


def table(rows: list[Row], raw_row: Row) -> None:
    bare = next(f for n, f, _ in rows if n.startswith("bare handler, one") and isinstance(f, Figures))
    raw = raw_row[1]
    assert isinstance(raw, float)
    print(f"  {'':38s} {'':>10s} {'':>9s} {'':>7s} {'':>7s} {'':>7s} {'':>7s} {'load':>5s}  {'CPU us per request':^22s} "
          f"{'CPU cap':>8s}")
    print(f"  {'case':38s} {'requests/s':>10s} {'events/s':>9s} {'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} "
          f"{'non-2xx':>7s} {'avg':>5s}  {'server':>6s} {'Kafka':>6s} {'wrk':>6s} {'req/s':>8s}  "
          f"ratio to its ceiling (target)")
    for name, figures, ceiling in rows:
        if isinstance(figures, float):
            print(f"  {name:38s} {'':>10s} {figures:9.0f} {'':>7s} {'':>7s} {'':>7s} {'':>7s} {'':>5s}  {'':>6s} "
                  f"{'':>6s} {'':>6s} {'':>8s}  the batch ceiling")
            continue
        if ceiling == "bare":
            ratio = f"{figures.requests_per_s / bare.requests_per_s:5.0%} of the bare handler (>= 50%"
            ratio += ", p99 < 50 ms)" if "/v1/events" in name else ")"
            ratio += f"; CPU caps: {cpu_cap(figures) / cpu_cap(bare):.0%}"
        elif ceiling == "raw":
            ratio = f"{figures.events_per_s / raw:5.0%} of the raw producer's events/s (>= 50%)"
        else:
            ratio = "the single-request ceiling" if "one event" in name else "(for reference)"
        errors = f"{figures.non_2xx}" + (f"+{figures.socket_errors}s" if figures.socket_errors else "")
        wrk_us = figures.generator_cpu / max(figures.requests_per_s, 1e-9) * 1e6
        print(f"  {name:38s} {figures.requests_per_s:10.0f} {figures.events_per_s:9.0f} {figures.p50_ms:7.1f} "
              f"{figures.p99_ms:7.1f} {figures.max_ms:7.0f} {errors:>7s} {figures.load:5.1f}  {figures.server_us:6.0f} "
              f"{figures.kafka_us:6.0f} {wrk_us:6.0f} {cpu_cap(figures):8.0f}  {ratio}")


def main() -> None:
    wrk = ensure_wrk()
    counts = [int(w) for w in (os.environ.get("SSI_BENCH_WORKERS") or "1,2").split(",")]
    stack = Stack.for_profile("bench")
    stack.destroy_infra()
    stack.start_infra()
    groups: dict[int, list[list[Row]]] = {}
    bare_proc = None
    try:
        who = senders(stack)
        raw_row = raw_ceiling(stack, who)
        for workers in counts:
            print(f" {workers} worker process(es) per server:", flush=True)
            stack.start_service("ingest", {"SSI_INGEST_WORKERS": str(workers)})
            stack.wait_ready("ingest")
            bare_log = open(stack.state_dir / "bench-bare.log", "ab")  # noqa: SIM115 - owned by the child
            bare_proc = subprocess.Popen(
                [sys.executable, __file__, "--serve-bare", str(stack.ingest_port + BARE_PORT_SHIFT), str(workers)],
                cwd=ROOT, env={**stack.env()}, stdout=bare_log, stderr=subprocess.STDOUT,
            )
            wait_http(f"http://127.0.0.1:{stack.ingest_port + BARE_PORT_SHIFT}/docs")
            with tempfile.TemporaryDirectory(prefix="ssi-bench-") as tmp:
                groups[workers] = measure(stack, wrk, Path(tmp), bare_proc, who, warm_broker=workers == counts[0])
            bare_proc.terminate()
            bare_proc.wait(20)
            bare_proc = None
            stack.stop_service("ingest")
    finally:
        if bare_proc is not None:
            bare_proc.terminate()
            bare_proc.wait(20)
        stack.stop_services()
        stack.stop_infra()
    report(groups, raw_row)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        from shared.http.serve import serve

        serve("tests.bench.bench_ingest:bare_app", host="127.0.0.1", port=int(sys.argv[2]), log_level="WARNING",
              workers=int(sys.argv[3]))
    else:
        main()
