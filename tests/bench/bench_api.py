#!/usr/bin/env python3
"""make bench-api: the api's dashboard reads beside a bare handler on the same server, while events flow
(prints figures, asserts nothing).

Starts the bench profile's stack from empty data (Kafka, Postgres, ingest, scorer, sink, api with
SSI_API_WORKERS, 2 unless set) and loads it as a dashboard would meet it:
- a tenant of SSI_BENCH_REPS (400) reps in 8 teams, with SSI_BENCH_DAYS (42) days of activity sent through the
  ingest (about 3 events per rep and day, so the ledger behind explanations is realistic) and as many days of
  daily history (rep_score_daily rows written directly, a slow ramp up to each rep's current score);
- the demo feed of `make run` (deploy/demo_feed.py: 50 more reps in 3 teams, 30 days of backfill, then its live
  traffic at its default rate), running through every measurement, so scores, ranks and read models change
  while they are read.
Then each case is measured after a warm-up:
- at a fixed rate (SSI_BENCH_RATE, 500 requests/s), open loop: `vegeta attack -rate` (a Go module, built into
  .cache/bin with the machine's Go when missing) sends each request on its schedule whatever the earlier ones
  are doing, so a slow answer cannot lower the offered load (no coordinated omission); it reports the rate it
  achieved, p50, p99 and max. Cases: a bare handler (FastAPI answering a stored JSON of a score read's size,
  served exactly as the api is: shared.http.serve, the same workers), GET /v1/reps/{id}/score over every rep of
  the bench tenant in turn, GET /v1/reps (the leaderboard, 50 a page, sort=-total), the same for one team,
  GET /v1/teams;
- unpaced with 10 connections (`wrk`, Debian's), the throughput of the bare handler, the score read and the
  leaderboard.
Each row carries the load average (1 minute) when its case ended. The generators, the servers, the scorer,
the sink, Kafka and Postgres share the machine's cores with whatever else runs.
With SSI_BENCH_PYSPY=1, py-spy samples one api worker during the paced score and leaderboard cases and the
bench prints the functions that took the most samples (for finding per-request work).

    SSI_PORT_OFFSET=200 make bench-api      # SSI_BENCH_SECONDS (10) per case
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
from fastapi import FastAPI
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from stack import Stack  # noqa: E402

from tests.bench.bench_ingest import ensure_wrk, wait_http  # noqa: E402

SECONDS = int(os.environ.get("SSI_BENCH_SECONDS", "10"))
WARMUP_SECONDS = 3
RATE = int(os.environ.get("SSI_BENCH_RATE", "500"))
REPS = int(os.environ.get("SSI_BENCH_REPS", "400"))
DAYS = int(os.environ.get("SSI_BENCH_DAYS", "42"))
TEAMS = [f"team-{i}" for i in range(8)]
UNPACED_CONNECTIONS, THREADS = 10, 2
BARE_PORT_SHIFT = 90
KINDS = ["post.published", "comment.posted", "content.shared", "profile.viewed", "connection.accepted",
         "meeting.booked", "message.replied"]
SAMPLE_FILE = "bench-api-sample.json"
VEGETA_VERSION = "v12.13.0"
VEGETA = ROOT / ".cache" / "bin" / "vegeta"


def bare_app() -> FastAPI:
    """The ceiling: FastAPI with the api's app options, one GET route answering a stored body of a score read's
    size (no auth, no database, no validation)."""
    from contextlib import asynccontextmanager

    from shared.http.heap import freeze_startup_heap
    from shared.http.responses import OrjsonResponse

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        freeze_startup_heap()  # as the services do at start-up (shared.http.heap)
        yield

    app = FastAPI(default_response_class=OrjsonResponse, lifespan=lifespan)
    body = Path(os.environ["SSI_BENCH_SAMPLE"]).read_bytes()

    @app.get("/bare")
    async def bare() -> Response:
        return Response(body, media_type="application/json")

    return app


# --- loading the stack ----------------------------------------------------------------------------------------
def post_events(ingest: str, key: str, events: list[dict]) -> None:
    with httpx.Client(base_url=ingest, timeout=60) as client:
        for i in range(0, len(events), 500):
            while True:
                answer = client.post("/v1/events", content=orjson.dumps(events[i:i + 500]), headers={
                    "Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents-batch+json"})
                if answer.status_code == 429:
                    time.sleep(float(answer.headers.get("retry-after", "1")))
                    continue
                if answer.status_code != 202:
                    raise SystemExit(f"the ingest refused a bench batch: {answer.status_code} {answer.text[:300]}")
                break


def load_tenant(stack: Stack) -> tuple[str, str, list[str], int]:
    tenant = json.loads(stack.cli("tenant", "create", f"bench-api-{uuid.uuid4().hex[:8]}", "--json"))
    key, rng = tenant["api_key"], random.Random(8)
    reps = [f"rep-{i:04d}" for i in range(REPS)]
    with httpx.Client(base_url=stack.api_url, timeout=30, headers={"Authorization": f"Bearer {key}"}) as api:
        for i, rep in enumerate(reps):
            body = {"name": f"Rep {i}", "team": TEAMS[i % len(TEAMS)], "industry": "software"}
            assert api.put(f"/v1/reps/{rep}", json=body).status_code == 201
        api.put("/v1/targets", json={"milestones": [{"score": 40, "by": str(datetime.now(UTC).date() + timedelta(days=90))},
                                                    {"score": 60, "by": str(datetime.now(UTC).date() + timedelta(days=270))}]})
    now = datetime.now(UTC)
    events = []
    for i, rep in enumerate(reps):
        skill = 0.5 + 2.5 * rng.random()
        for day in range(DAYS, 0, -1):
            for _ in range(int(rng.expovariate(1 / skill))):
                at = now - timedelta(days=day, seconds=rng.randrange(86_400))
                events.append({"specversion": "1.0", "id": uuid.uuid4().hex, "source": rng.choice(["linkedin", "x"]),
                               "type": rng.choice(KINDS), "subject": rep, "time": at.isoformat(),
                               "datacontenttype": "application/json", "data": {}})
    print(f"  sending {len(events)} events of {DAYS} days for {REPS} reps ...", flush=True)
    post_events(stack.ingest_url, key, events)
    return tenant["tenant_id"], key, reps, len({e["subject"] for e in events})


async def wait_and_backfill_history(stack: Stack, tenant_id: str, reps: int) -> None:
    """Wait until every rep is scored and explained, then write DAYS days of daily history for each."""
    from sqlalchemy import text

    from shared.db.engine import make_engine

    engine = make_engine(stack.database_url, application_name="bench-api", pool_size=1)
    try:
        deadline = time.monotonic() + 900
        while True:
            async with engine.connect() as conn:
                scored = (await conn.execute(text("SELECT count(*) FROM rep_scores WHERE tenant_id = :t"),
                                             {"t": tenant_id})).scalar_one()
                explained = (await conn.execute(text(
                    "SELECT count(*) FROM rep_explanations e JOIN rep_scores s USING (tenant_id, rep_id) "
                    "WHERE e.tenant_id = :t AND e.seq = s.seq"), {"t": tenant_id})).scalar_one()
            if scored >= reps and explained >= reps * 0.95:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"only {scored} reps scored, {explained} explained after 15 minutes")
            await asyncio.sleep(2)
        async with engine.begin() as conn:
            await conn.execute(text(
                """
                INSERT INTO rep_score_daily (tenant_id, rep_id, day, brand, people, insights, relationships, total,
                                             state, model_version, as_of, seq, events)
                SELECT s.tenant_id, s.rep_id, CAST(s.as_of AS date) - d, s.brand * f, s.people * f, s.insights * f,
                       s.relationships * f, s.total * f, s.state, s.model_version, s.as_of - d * interval '1 day',
                       s.seq, s.events
                FROM rep_scores s, generate_series(1, :days) AS d,
                     LATERAL (SELECT 1.0 - d / (2.0 * :days) AS f) AS ramp
                WHERE s.tenant_id = :t
                ON CONFLICT DO NOTHING
                """), {"t": tenant_id, "days": DAYS})
    finally:
        await engine.dispose()


# --- wrk ------------------------------------------------------------------------------------------------------
LUA = """
local paths = {{ {paths} }}
local i = math.random(#paths)
{headers}
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (the api's supervisor and workers)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@dataclass
class Figures:
    offered: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    generator_cpu: float
    server_cpu_ms: float = 0.0  # the server's CPU milliseconds per request (all its processes)
    load: float = 0.0  # the 1-minute load average when the case ended
    slow: str = ""  # when the answers slower than the target came (paced cases)


def ensure_vegeta() -> str:
    """vegeta (github.com/tsenart/vegeta, a Go module): on the PATH, in .cache/bin, or built there with Go."""
    found = shutil.which("vegeta") or (str(VEGETA) if VEGETA.exists() else None)
    if found:
        return found
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        raise SystemExit("vegeta is needed (a Go module): install Go, or put vegeta on the PATH")
    print(f"  building vegeta {VEGETA_VERSION} into {VEGETA.parent} ...", flush=True)
    subprocess.run([go, "install", f"github.com/tsenart/vegeta/v12@{VEGETA_VERSION}"], check=True,
                   env={**os.environ, "GOBIN": str(VEGETA.parent), "GOPATH": str(ROOT / ".cache" / "gopath")})
    return str(VEGETA)


def run_vegeta(vegeta: str, base: str, paths: list[str], key: str | None, rate: int, workdir: Path,
               server_pid: int, profile_pid: int | None = None, profile_name: str = "") -> Figures:
    """Open loop at ``rate`` requests/s: a warm-up, then SECONDS measured (py-spy on ``profile_pid`` meanwhile)."""
    targets = workdir / f"targets-{uuid.uuid4().hex}.txt"
    targets.write_text("".join(f"GET {base}{p}\n" for p in paths))
    command = [vegeta, "attack", "-rate", f"{rate}/1s", "-targets", str(targets), "-timeout", "10s"]
    if key:
        command += ["-header", f"Authorization: Bearer {key}"]
    subprocess.run([*command, "-duration", f"{WARMUP_SECONDS}s", "-output", os.devnull], check=True)
    results = workdir / f"results-{uuid.uuid4().hex}.bin"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = tree_cpu_seconds(server_pid)
    spy = start_profile(profile_pid, workdir, profile_name)
    started = time.monotonic()
    subprocess.run([*command, "-duration", f"{SECONDS}s", "-output", str(results)], check=True)
    wall = time.monotonic() - started
    server_cpu = tree_cpu_seconds(server_pid) - server_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    finish_profile(spy)
    report = json.loads(subprocess.run([vegeta, "report", "-type", "json", str(results)], check=True,
                                       capture_output=True, text=True).stdout)
    slow = slow_windows(vegeta, results)
    codes = report.get("status_codes") or {}
    ok = sum(n for code, n in codes.items() if code.startswith("2"))
    failed = sum(n for code, n in codes.items() if code == "0")  # no answer: connection or timeout errors
    lat = report["latencies"]
    return Figures(f"{rate}/s", report["throughput"], lat["50th"] / 1e6, lat["99th"] / 1e6, lat["max"] / 1e6,
                   report["requests"] - ok - failed, failed,
                   (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall,
                   1000 * server_cpu / max(report["requests"], 1), load, slow)


SLOW_MS, WINDOW_S = 10.0, 0.1


def slow_windows(vegeta: str, results: Path) -> str:
    """Where the answers slower than SLOW_MS fell in the case: how many, in how many WINDOW_S windows, and the
    start (s into the case) of the worst windows. Slow answers bunched in a few windows point at a stall (a
    periodic job, a collection) rather than at the per-request cost."""
    rows = subprocess.run([vegeta, "encode", "--to", "csv", str(results)], check=True, capture_output=True,
                          text=True).stdout.splitlines()
    sent = [(int(r.split(",")[0]), int(r.split(",")[2])) for r in rows if r]
    if not sent:
        return ""
    start = min(t for t, _ in sent)
    windows: dict[int, int] = {}
    for at, latency in sent:
        if latency / 1e6 > SLOW_MS:
            # the window the answer was waited for in: when it was sent plus its latency
            w = int((at - start + latency) / 1e9 / WINDOW_S)
            windows[w] = windows.get(w, 0) + 1
    count = sum(windows.values())
    worst = sorted(sorted(windows, key=lambda w: -windows[w])[:8])
    return (f"{count} of {len(sent)} answers over {SLOW_MS:.0f} ms, in {len(windows)} windows of "
            f"{WINDOW_S * 1000:.0f} ms; the worst start at " + ", ".join(f"{w * WINDOW_S:.1f}" for w in worst) + " s")


def metric_sum(url: str, name: str, labels: str = "") -> float:
    """The value of one sample of a Prometheus text exposition (0 when absent)."""
    wanted = name + labels
    for line in httpx.get(url, timeout=10).text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


def run_wrk(wrk: str, base: str, paths: list[str], key: str | None, workdir: Path, server_pid: int) -> Figures:
    """Unpaced (closed loop), UNPACED_CONNECTIONS connections: the throughput."""
    connections = UNPACED_CONNECTIONS
    headers = f'wrk.headers["Authorization"] = "Bearer {key}"' if key else ""
    script = workdir / f"case-{uuid.uuid4().hex}.lua"
    script.write_text(LUA.format(paths=", ".join(json.dumps(p) for p in paths), headers=headers))
    command = [wrk, "-t", str(THREADS), "-c", str(connections), "-s", str(script), base]
    subprocess.run([*command[:1], "-d", f"{WARMUP_SECONDS}s", *command[1:]], check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = tree_cpu_seconds(server_pid)
    started = time.monotonic()
    out = subprocess.run([*command[:1], "-d", f"{SECONDS}s", "--latency", *command[1:]], check=True,
                         capture_output=True, text=True).stdout
    wall = time.monotonic() - started
    server_cpu = tree_cpu_seconds(server_pid) - server_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, duration_us, p50, p99, worst, status_errors, socket_errors = (int(x) for x in fields)
    return Figures(f"max, {connections} conn", requests / (duration_us / 1e6),
                   p50 / 1000, p99 / 1000, worst / 1000, status_errors, socket_errors,
                   (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall,
                   1000 * server_cpu / max(requests, 1), os.getloadavg()[0])


# --- py-spy (SSI_BENCH_PYSPY=1) -------------------------------------------------------------------------------
PROFILES: list[tuple[str, Path]] = []


def api_worker_pid(supervisor_pid: int) -> int:
    """One of the api's worker processes (uvicorn's supervisor spawns them), else the process itself."""
    children = [int(c) for task in Path(f"/proc/{supervisor_pid}/task").iterdir()
                for c in (task / "children").read_text().split()]
    workers = [c for c in children if b"multiprocessing" not in Path(f"/proc/{c}/cmdline").read_bytes()
               or b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return max(workers or children or [supervisor_pid])


def start_profile(pid: int | None, workdir: Path, name: str) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if pid is None or not os.environ.get("SSI_BENCH_PYSPY") or not Path(spy).exists():
        return None
    out = workdir / f"profile-{len(PROFILES)}.txt"
    PROFILES.append((name, out))
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(SECONDS), "--rate", "200",
                             "--format", "raw", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def finish_profile(spy: subprocess.Popen | None) -> None:
    if spy is not None:
        spy.wait(60)


def summarize_profiles(keep: Path) -> None:
    """For each profile: the functions (file:function) by share of samples, inclusive and at the top of the stack."""
    for name, path in PROFILES:
        if not path.exists():
            continue
        inclusive: dict[str, int] = {}
        own: dict[str, int] = {}
        total = 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [f.split(" (")[0] + " " + "/".join(f.split(" (")[1].split(":")[0].split("/")[-2:])
                      if " (" in f else f for f in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
            own[frames[-1]] = own.get(frames[-1], 0) + n
        (keep / f"bench-api-profile-{name.replace(' ', '_').replace('/', '_')}.txt").write_text(path.read_text())
        print(f"\n  py-spy, one api worker, {name}: {total} samples")
        print("    inclusive (share of samples with the function on the stack):")
        for frame, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:25]:
            print(f"      {n / max(total, 1):6.1%}  {frame}")
        print("    own (at the top of the stack):")
        for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
            print(f"      {n / max(total, 1):6.1%}  {frame}")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out (the finally below)
    wrk, vegeta = ensure_wrk(), ensure_vegeta()
    workers = os.environ.get("SSI_API_WORKERS") or "2"
    os.environ["SSI_API_WORKERS"] = workers  # the stack passes it to the api
    stack = Stack.for_profile("bench")
    stack.destroy_infra()
    stack.start_infra()
    bare_proc = feed = None
    rows: list[tuple[str, Figures]] = []
    try:
        stack.start_services()
        tenant_id, key, reps, active = load_tenant(stack)
        asyncio.run(wait_and_backfill_history(stack, tenant_id, active))
        print("  scored, explained, history written; starting the demo feed ...", flush=True)
        demo = json.loads(stack.cli("tenant", "create", f"bench-demo-{uuid.uuid4().hex[:8]}", "--json"))
        feed_log = open(stack.state_dir / "bench-demo-feed.log", "ab")  # noqa: SIM115 - owned by the child
        feed = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "demo_feed.py"), "--ingest", stack.ingest_url,
                                 "--api", stack.api_url], env={**stack.env(), "SSI_DEMO_API_KEY": demo["api_key"]},
                                cwd=ROOT, stdout=feed_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while b"backfilled" not in (stack.state_dir / "bench-demo-feed.log").read_bytes():
            if feed.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the demo feed did not finish its backfill; see bench-demo-feed.log")
            time.sleep(1)
        time.sleep(10)  # let the scorer and the sink take the backfill in; the live feed keeps flowing
        sample = httpx.get(f"{stack.api_url}/v1/reps/{reps[0]}/score", headers={"Authorization": f"Bearer {key}"}).content
        sample_file = stack.state_dir / SAMPLE_FILE
        sample_file.write_bytes(sample)
        bare_port = stack.api_port + BARE_PORT_SHIFT
        bare_log = open(stack.state_dir / "bench-api-bare.log", "ab")  # noqa: SIM115 - owned by the child
        bare_proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-bare", str(bare_port), workers], cwd=ROOT,
            env={**stack.env(), "SSI_BENCH_SAMPLE": str(sample_file)}, stdout=bare_log, stderr=subprocess.STDOUT)
        wait_http(f"http://127.0.0.1:{bare_port}/bare")
        bare = f"http://127.0.0.1:{bare_port}"
        score_paths = [f"/v1/reps/{r}/score" for r in reps]
        board, team_board = ["/v1/reps?sort=-total&limit=50"], [f"/v1/reps?sort=-total&limit=50&team={TEAMS[3]}"]
        # forty different first pages in turn: eight sorts, the whole tenant and four teams
        varied = [f"/v1/reps?sort={sort}&limit=50" + (f"&team={team}" if team else "")
                  for sort in ("-total", "total", "-brand", "people", "-insights", "relationships", "-people", "rep_id")
                  for team in (None, *TEAMS[:4])]
        # second pages (after a cursor): never kept, so every one is read from Postgres
        cursors = [httpx.get(f"{stack.api_url}{p}", headers={"Authorization": f"Bearer {key}"}).json()["next_cursor"]
                   for p in varied if "team=" not in p]
        second = [f"/v1/reps?sort={p.split('sort=')[1].split('&')[0]}&limit=50&cursor={c}"
                  for p, c in zip([p for p in varied if "team=" not in p], cursors, strict=True)]
        with tempfile.TemporaryDirectory(prefix="ssi-bench-api-") as tmp:
            work = Path(tmp)
            api_pid = stack.processes["api"].pid
            profiled = api_worker_pid(api_pid)
            paced = [
                ("bare handler (the ceiling)", bare, ["/bare"], None),
                ("GET /v1/reps/{id}/score", stack.api_url, score_paths, key),
                ("GET /v1/reps (leaderboard, 50)", stack.api_url, board, key),
                ("GET /v1/reps?team= (50)", stack.api_url, team_board, key),
                ("GET /v1/reps, 40 first pages", stack.api_url, varied, key),
                ("GET /v1/reps, pages 2 (cursor)", stack.api_url, second, key),
                ("GET /v1/teams", stack.api_url, ["/v1/teams"], key),
            ]
            kept: dict[str, str] = {}
            for name, base, paths, auth in paced:
                print(f"  {name} at {RATE}/s ...", flush=True)
                pid = bare_proc.pid if base == bare else api_pid
                spy = profiled if name.startswith(("GET /v1/reps/{id}/score", "GET /v1/reps (")) else None
                before = {r: metric_sum(f"{stack.api_url}/metrics", "ssi_api_page_cache_total", f'{{result="{r}"}}')
                          for r in ("hit", "stale", "miss")}
                passes = (metric_sum(f"http://127.0.0.1:{stack.sink_port}/metrics", "ssi_sink_read_model_seconds_sum"),
                          metric_sum(f"http://127.0.0.1:{stack.sink_port}/metrics", "ssi_sink_read_model_seconds_count"))
                rows.append((name, run_vegeta(vegeta, base, paths, auth, RATE, work, pid, spy, name)))
                counts = {r: metric_sum(f"{stack.api_url}/metrics", "ssi_api_page_cache_total", f'{{result="{r}"}}')
                          - before[r] for r in before}
                done = (metric_sum(f"http://127.0.0.1:{stack.sink_port}/metrics", "ssi_sink_read_model_seconds_sum") - passes[0],
                        metric_sum(f"http://127.0.0.1:{stack.sink_port}/metrics", "ssi_sink_read_model_seconds_count") - passes[1])
                kept[name] = (f"page cache hit {counts['hit']:.0f}, stale {counts['stale']:.0f}, miss "
                              f"{counts['miss']:.0f}; " if name.startswith("GET /v1/reps") else "") + \
                    (f"sink read-model passes {done[1]:.0f}, mean {1000 * done[0] / done[1]:.0f} ms" if done[1] else "")
            unpaced = [
                ("bare handler (the ceiling)", bare, ["/bare"], None),
                ("GET /v1/reps/{id}/score", stack.api_url, score_paths, key),
                ("GET /v1/reps (leaderboard, 50)", stack.api_url, board, key),
            ]
            for name, base, paths, auth in unpaced:
                print(f"  {name} unpaced ...", flush=True)
                pid = bare_proc.pid if base == bare else api_pid
                rows.append((name, run_wrk(wrk, base, paths, auth, work, pid)))
            summarize_profiles(stack.state_dir)
    finally:
        for proc in (bare_proc, feed):
            if proc is not None:
                proc.terminate()
                proc.wait(20)
        stack.stop_services()
        stack.stop_infra()
    print(f"\napi read bench (one run; {workers} api worker processes; {REPS} reps of {len(TEAMS)} teams with {DAYS} "
          f"days of history plus the demo feed's 50 reps and live traffic; {SECONDS} s per case after "
          f"{WARMUP_SECONDS} s of warm-up; everything shares this machine's {os.cpu_count()} cores)")
    print(f"  {'case':32s} {'offered':>14s} {'achieved/s':>10s} {'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} "
          f"{'non-2xx':>7s} {'gen CPU':>7s} {'server CPU ms/req':>17s} {'load':>5s}")
    for name, f in rows:
        errors = f"{f.non_2xx}" + (f"+{f.socket_errors}s" if f.socket_errors else "")
        print(f"  {name:32s} {f.offered:>14s} {f.requests_per_s:10.0f} {f.p50_ms:7.2f} {f.p99_ms:7.2f} "
              f"{f.max_ms:7.1f} {errors:>7s} {f.generator_cpu:6.0%} {f.server_cpu_ms:17.2f} {f.load:5.1f}")
    print("\n  paced cases: when the slow answers came, what the page cache did, the sink's read-model passes")
    for name, f in rows:
        if f.slow:
            print(f"  {name:32s} {f.slow}")
            if kept.get(name):
                print(f"  {'':32s} {kept[name]}")
    print(f"  (N/s: vegeta, open loop at N requests/s, achieved = its throughput of answers; max: wrk, closed loop, "
          f"{UNPACED_CONNECTIONS} connections; server CPU ms/req: the CPU time of the server's processes during the "
          f"case per request; load: the 1-minute load average as the case ended, on {os.cpu_count()} cores)")
    print(f"  (target: p99 <= 10 ms at {RATE} requests/s for the score read and the leaderboard, beside the bare "
          "handler's p99 on the same server settings and generator)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        from shared.http.serve import serve

        serve("tests.bench.bench_api:bare_app", host="127.0.0.1", port=int(sys.argv[2]), log_level="WARNING",
              workers=int(sys.argv[3]))
    else:
        main()
