#!/usr/bin/env python3
"""Bring the whole product up on this machine: Kafka, Postgres, migrations, topics and the four processes.

Used by `make run` (profile dev), the test session (profile test) and `make bench` (profile bench), so that
all three start the stack the same way on their own ports and data folders, side by side.

    python deploy/stack.py up --profile dev     # start and keep running until Ctrl-C (make run)
    python deploy/stack.py infra --profile test # only Kafka and Postgres
    python deploy/stack.py down --profile test  # stop Kafka and Postgres of a profile
    python deploy/stack.py up --kafka-brokers 3 # the same on a 3-broker Kafka cluster (replication factor 3)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
TEST_SASL_USER, TEST_SASL_PASSWORD = "ssi-test", "ssi-test-scram-password"
"""The test profile's SCRAM user on its local broker's SASL listener (a throwaway broker on 127.0.0.1 only)."""

# base port per profile: kafka +92/+93, postgres +432 (in its own range), api +0, ingest +1, scorer +2, sink +3
PROFILES = {
    "dev": {"kafka": 19092, "pg": 15432, "http": 8000},
    "test": {"kafka": 29092, "pg": 25432, "http": 28000},
    "bench": {"kafka": 39092, "pg": 35433, "http": 38000},
    # the supervision and Prometheus tests' own stack, below the ephemeral port range (32768-60999), where an
    # outgoing connection's local port can take a listening port away
    "ops": {"kafka": 17092, "pg": 16432, "http": 18000},
}


def _end_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """The kernel sends SIGTERM to this child when the process that started it dies, even by SIGKILL."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


CHILD_OPTIONS = {"start_new_session": True, "preexec_fn": _end_with_parent}
"""A service runs in its own session (the terminal's Ctrl-C reaches only the supervisor, which stops the
services in order) and ends when the process that started it dies (no orphans; deploy/supervisor.py)."""


@dataclass
class Stack:
    profile: str
    state_dir: Path
    kafka_port: int
    pg_port: int
    api_port: int
    ingest_port: int
    scorer_port: int
    sink_port: int
    scorer_workers: int = 1
    kafka_brokers: int = 1
    """1: deploy/kafka.sh's single node; 3: its cluster mode (brokers on kafka_port, +2, +4; replication 3)."""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @classmethod
    def for_profile(cls, profile: str) -> Stack:
        base = PROFILES[profile]
        env = os.environ if profile == "dev" else {}  # dev ports follow the documented variables
        # test and bench: SSI_PORT_OFFSET shifts every port, so two clones can run their suites side by side
        offset = 0 if profile == "dev" else int(os.environ.get("SSI_PORT_OFFSET", "0"))
        base = {k: v + offset for k, v in base.items()}
        http = base["http"]
        return cls(
            profile=profile,
            state_dir=Path(env.get("SSI_STATE_DIR", ROOT / ".run" / profile)),
            kafka_port=int(env.get("KAFKA_PORT", base["kafka"])),
            pg_port=int(env.get("PG_PORT", base["pg"])),
            api_port=int(env.get("SSI_API_PORT", http)),
            ingest_port=int(env.get("SSI_INGEST_PORT", http + 1)),
            scorer_port=int(env.get("SSI_SCORER_PORT", http + 2)),
            sink_port=int(env.get("SSI_SINK_PORT", http + 3)),
            # make run: two scoring workers suit this 2-core machine (measured by make bench); tests: one
            scorer_workers=int(os.environ.get("SSI_SCORER_WORKERS", "2" if profile == "dev" else "1")),
        )

    # --- addresses ---------------------------------------------------------------------------------
    @property
    def kafka_sasl_port(self) -> int:
        """The test profile's SASL listener: two above the client port (the controller has the next one)."""
        return self.kafka_port + 2

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.kafka_ports)

    @property
    def kafka_ports(self) -> list[int]:
        return [self.kafka_port + 2 * i for i in range(self.kafka_brokers)]

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://ssi@127.0.0.1:{self.pg_port}/ssi"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    def env(self) -> dict[str, str]:
        """The environment every service process (and the CLI) of this stack gets."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSI_")}
        env.update(
            SSI_ENV="test" if self.profile == "test" else "dev",
            SSI_KAFKA_BOOTSTRAP=self.kafka_bootstrap,
            SSI_DATABASE_URL=self.database_url,
            SSI_API_PORT=str(self.api_port),
            SSI_INGEST_PORT=str(self.ingest_port),
            SSI_SCORER_PORT=str(self.scorer_port),
            SSI_SINK_PORT=str(self.sink_port),
            SSI_STATE_DIR=str(self.state_dir),
            SSI_INGEST_PUBLIC_URL=self.ingest_url,
            KAFKA_PORT=str(self.kafka_port),
            KAFKA_CONTROLLER_PORT=str(self.kafka_port + 1),
            PG_PORT=str(self.pg_port),
            PYTHONUNBUFFERED="1",
        )
        if self.kafka_brokers > 1:
            env.update(KAFKA_CLUSTER_PORT=str(self.kafka_port), KAFKA_CLUSTER_NODES=str(self.kafka_brokers),
                       SSI_KAFKA_REPLICATION_FACTOR="3")
        if self.profile == "test":  # a SASL_PLAINTEXT (SCRAM-SHA-512) listener for the Kafka security test
            env.update(KAFKA_SASL_PORT=str(self.kafka_sasl_port), KAFKA_SASL_USER=TEST_SASL_USER,
                       KAFKA_SASL_PASSWORD=TEST_SASL_PASSWORD)
        for name in ("SSI_LOG_LEVEL", "SSI_INGEST_WORKERS", "SSI_API_WORKERS", "SSI_LOG_TRAIL", "SSI_SINK_READ_MODEL_SECONDS"):
            if os.environ.get(name):
                env[name] = os.environ[name]
        if self.profile == "dev":  # make run: one log line per event and service, to follow one (shared.logs)
            env.setdefault("SSI_LOG_TRAIL", "1")
        return env

    # --- infrastructure ----------------------------------------------------------------------------
    def _script(self, name: str, *action: str) -> None:
        result = subprocess.run(["bash", str(ROOT / "deploy" / name), *action], env=self.env(), cwd=ROOT)
        if result.returncode != 0:
            raise SystemExit(f"deploy/{name} {' '.join(action)} failed (exit {result.returncode}); see its message above")

    def kafka(self, action: str, node: int | None = None) -> None:
        """deploy/kafka.sh ACTION, or `kafka.sh cluster ACTION [NODE]` for a cluster (the fault tests use it)."""
        if self.kafka_brokers > 1:
            self._script("kafka.sh", "cluster", action, *([str(node)] if node else []))
        else:
            self._script("kafka.sh", action)

    def kafka_pid(self, node: int = 1) -> int:
        """The broker's pid (node N of a cluster), from its pid file."""
        name = "kafka.pid" if self.kafka_brokers == 1 else f"kafka-node-{node}.pid"
        return int((self.state_dir / name).read_text().split()[0])

    def start_infra(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.kafka("start")
        self._script("postgres.sh", "start")
        self.cli("db", "upgrade")
        self.cli("topics", "ensure")

    def stop_infra(self) -> None:
        self.kafka("stop")
        self._script("postgres.sh", "stop")

    def destroy_infra(self) -> None:
        """Stop Kafka and Postgres and delete their data (the bench starts from nothing each time)."""
        self.kafka("destroy")
        self._script("postgres.sh", "destroy")

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "ssi"), *args], env=self.env(), cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"ssi {' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
        return result.stdout

    # --- services ----------------------------------------------------------------------------------
    SERVICES = {
        "ingest": ["-m", "services.ingest"],
        "scorer": ["-m", "services.scorer", "worker", "--loglevel", "warn"],
        "sink": ["-m", "services.scorer.sink"],
        "api": ["-m", "services.api"],
    }

    def scorer_names(self) -> list[str]:
        """'scorer' is the first scoring worker; more are 'scorer-2', 'scorer-3', ..."""
        return ["scorer"] + [f"scorer-{i}" for i in range(2, self.scorer_workers + 1)]

    def worker_port(self, name: str) -> int:
        """Worker 1 answers on the scorer port; worker N on api port + 10 + N (clear of the four services)."""
        return self.scorer_port if name == "scorer" else self.api_port + 10 + int(name.rsplit("-", 1)[1])

    def ready_url(self, name: str) -> str | None:
        if name.startswith("scorer"):
            return f"http://127.0.0.1:{self.worker_port(name)}/readyz"
        port = {"ingest": self.ingest_port, "api": self.api_port}.get(name)
        return f"http://127.0.0.1:{port}/readyz" if port else f"http://127.0.0.1:{self.sink_port}/metrics"

    def start_service(self, name: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.state_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child process
        worker_env = {}
        if name.startswith("scorer"):
            worker_env = {"SSI_SCORER_PORT": str(self.worker_port(name)),
                          "SSI_SCORER_DATA_DIR": str(self.state_dir / name)}
        proc = subprocess.Popen(
            [str(PYTHON), *self.SERVICES["scorer" if name.startswith("scorer") else name]],
            env={**self.env(), **worker_env, **(extra_env or {})},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            **CHILD_OPTIONS,
        )
        self.processes[name] = proc
        return proc

    def service_names(self) -> list[str]:
        return [n for name in self.SERVICES for n in (self.scorer_names() if name == "scorer" else [name])]

    def start_services(self, timeout: float = 120.0) -> None:
        for name in self.service_names():
            self.start_service(name)
        for name in self.service_names():
            self.wait_ready(name, timeout)

    def wait_ready(self, name: str, timeout: float = 120.0) -> None:
        url = self.ready_url(name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready at {url} after {timeout:.0f}s:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.state_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"

    def stop_service(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_services(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_service(name)


def _up(stack: Stack, demo: bool) -> None:
    """Start everything, then supervise (deploy/supervisor.py) until Ctrl-C / SIGTERM / SIGHUP."""
    from supervisor import Supervisor

    supervisor = Supervisor(stack)
    supervisor.install_signals()
    try:
        stack.start_infra()
        if supervisor.stopping:
            return
        stack.start_services()
        if demo:
            key = demo_key(stack)

            def start_feed() -> subprocess.Popen:
                log = open(stack.state_dir / "demo-feed.log", "ab")  # noqa: SIM115
                return subprocess.Popen(
                    [str(PYTHON), str(ROOT / "deploy" / "demo_feed.py"), "--ingest", stack.ingest_url,
                     "--api", stack.api_url],
                    env={**stack.env(), "SSI_DEMO_API_KEY": key}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                    **CHILD_OPTIONS,
                )

            supervisor.start_extra["demo-feed"] = start_feed
            stack.processes["demo-feed"] = start_feed()
        print(banner(stack, demo), flush=True)
        supervisor.run()
    finally:
        print("stopping services...", flush=True)
        supervisor.stop_all()
        print("stopped.", flush=True)


def demo_key(stack: Stack) -> str:
    """The demo tenant's key, kept in the state folder so that a second `make run` reuses the tenant."""
    import json

    path = stack.state_dir / "demo-tenant.json"
    if path.exists():
        key = json.loads(path.read_text())["api_key"]
        request = urllib.request.Request(f"{stack.api_url}/v1/reps/rep-001", headers={"Authorization": f"Bearer {key}"})
        try:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback only
            return key
        except urllib.error.HTTPError as exc:
            if exc.code != 401:  # 404 is fine: the key is valid, the directory is empty
                return key
    created = json.loads(stack.cli("tenant", "create", f"demo-{int(time.time())}", "--json"))
    path.write_text(json.dumps(created))
    path.chmod(0o600)
    return created["api_key"]


def banner(stack: Stack, demo: bool) -> str:
    lines = [
        "",
        "Social Selling Index is running.",
        f"  API docs:     {stack.api_url}/docs",
        f"  Ingest docs:  {stack.ingest_url}/docs",
        f"  Metrics:      {stack.api_url}/metrics  {stack.ingest_url}/metrics  "
        f"http://127.0.0.1:{stack.scorer_port}/metrics  http://127.0.0.1:{stack.sink_port}/metrics",
        f"  Logs:         {stack.state_dir}/*.log",
    ]
    if demo:
        lines += [
            "  A rep's score (demo tenant; the key is in .run/dev/demo-tenant.json):",
            f"    curl -s -H \"Authorization: Bearer $(python3 -c 'import json;print(json.load(open(\"{stack.state_dir}/demo-tenant.json\"))[\"api_key\"])')\" "
            f"{stack.api_url}/v1/reps/rep-001/score",
        ]
    lines.append("A process that dies is restarted (the supervisor says so here). Ctrl-C stops everything.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "infra", "down"])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="dev")
    parser.add_argument("--no-demo", action="store_true", help="up: do not start the demo feed")
    parser.add_argument("--kafka-brokers", type=int, choices=[1, 3], default=1,
                        help="3: deploy/kafka.sh's replicated cluster instead of one broker (pass it to down too)")
    args = parser.parse_args()
    stack = Stack.for_profile(args.profile)
    stack.kafka_brokers = args.kafka_brokers
    if args.action == "up":
        _up(stack, demo=not args.no_demo)
    elif args.action == "infra":
        stack.start_infra()
    else:
        stack.stop_infra()


if __name__ == "__main__":
    sys.exit(main())
