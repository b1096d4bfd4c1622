"""`make run` supervises: a process of the stack that dies is restarted with backoff, and the terminal says so.

What is watched, every half second:
- the services (ingest, every scorer worker, sink, api, and the demo feed), children of this process: one that
  exits is started again after 1 s, then 2, 4, ... up to 30 s while it keeps dying; once it has run for a
  minute its next death starts again at 1 s;
- Kafka and Postgres, which run detached (deploy/kafka.sh, deploy/postgres.sh): their pid files are checked,
  and a dead one is started again by its script, with the same backoff.

Stopping (Ctrl-C, SIGTERM or SIGHUP of `make run`): every service gets SIGTERM at once, then SIGKILL after
20 s, then Kafka and Postgres stop. The services run in their own sessions (so the terminal's Ctrl-C reaches
only this process, which stops them in order) and are told by the kernel to end (PR_SET_PDEATHSIG) should
this process itself die without cleaning up, so nothing is left behind either way. Kafka and Postgres are
left running only if this process is killed with SIGKILL (the next `make run` reuses them).

Each service's pid is written to <state dir>/<name>.pid while it runs (for operators and tests).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stack import Stack

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
STABLE_AFTER = 60.0
"""A process that ran this long is healthy again: its next death is restarted after FIRST_DELAY."""
POLL_SECONDS = 0.5


def say(message: str) -> None:
    print(f"supervisor: {message}", flush=True)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


def proc_alive(pid: int | None) -> bool:
    """True if ``pid`` runs and is not a zombie (as deploy/common.sh's proc_alive)."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state != "Z"


def read_pid(path: Path) -> int | None:
    try:
        first = path.read_text().split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.isdigit() else None


def kafka_pid(state_dir: Path) -> int | None:
    return read_pid(state_dir / "kafka.pid")


def postgres_pid(state_dir: Path) -> int | None:
    try:
        data_dir = Path((state_dir / "pgdata.path").read_text().strip())
    except OSError:
        return None
    return read_pid(data_dir / "postmaster.pid")


@dataclass
class Backoff:
    """Delay before the next restart of one process."""

    delay: float = FIRST_DELAY
    started_at: float = 0.0
    restarts: int = 0
    due: float | None = None
    """When the pending restart happens (None: none pending)."""

    def schedule(self, now: float) -> float:
        if self.started_at and now - self.started_at >= STABLE_AFTER:
            self.delay = FIRST_DELAY
        wait = self.delay
        self.delay = min(self.delay * 2, MAX_DELAY)
        self.due = now + wait
        return wait

    def started(self, now: float) -> None:
        self.started_at = now
        self.restarts += 1
        self.due = None


class Supervisor:
    def __init__(self, stack: Stack, start_extra: dict[str, Callable[[], subprocess.Popen]] | None = None) -> None:
        self.stack = stack
        self.backoff: dict[str, Backoff] = {}
        self.start_extra = start_extra or {}
        """Processes that are not services of the stack (the demo feed): how to start each again."""
        self.stopping = False

    # --- signals ------------------------------------------------------------------------------------
    def install_signals(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            say(f"{signal.Signals(signum).name} received: stopping everything")
        self.stopping = True

    # --- one pass ------------------------------------------------------------------------------------
    def write_pid(self, name: str, proc: subprocess.Popen) -> None:
        (self.stack.state_dir / f"{name}.pid").write_text(f"{proc.pid}\n")

    def check_services(self, now: float) -> None:
        for name, proc in list(self.stack.processes.items()):
            backoff = self.backoff.setdefault(name, Backoff(started_at=now))
            if backoff.due is None:
                if proc.poll() is None:
                    continue
                wait = backoff.schedule(now)
                say(f"{name} (pid {proc.pid}) {describe_exit(proc.returncode)}; restarting in {wait:.0f}s "
                    f"(log: {self.stack.state_dir / (name + '.log')})")
            elif now >= backoff.due and not self.stopping:
                self.restart_service(name, now)

    def restart_service(self, name: str, now: float) -> None:
        start = self.start_extra.get(name)
        proc = start() if start else self.stack.start_service(name)
        self.stack.processes[name] = proc
        self.write_pid(name, proc)
        backoff = self.backoff[name]
        backoff.started(now)
        say(f"{name} restarted (pid {proc.pid}, restart {backoff.restarts})")

    def check_infra(self, now: float) -> None:
        for name, pid_of, script in (("kafka", kafka_pid, "kafka.sh"), ("postgres", postgres_pid, "postgres.sh")):
            backoff = self.backoff.setdefault(name, Backoff(started_at=now))
            if backoff.due is None:
                if proc_alive(pid_of(self.stack.state_dir)):
                    continue
                wait = backoff.schedule(now)
                say(f"{name} is not running; restarting in {wait:.0f}s (log: {self.stack.state_dir / (name + '.log')})")
            elif now >= backoff.due and not self.stopping:
                try:
                    self.stack._script(script, "start")  # waits until it answers
                except SystemExit as exc:
                    wait = backoff.schedule(time.monotonic())
                    say(f"{name} did not start ({exc}); trying again in {wait:.0f}s")
                    continue
                backoff.started(time.monotonic())
                say(f"{name} restarted (pid {pid_of(self.stack.state_dir)}, restart {backoff.restarts})")

    def run(self) -> None:
        """Watch until a stop signal; the caller stops everything afterwards (stop_all)."""
        for name, proc in self.stack.processes.items():
            self.write_pid(name, proc)
        while not self.stopping:
            now = time.monotonic()
            self.check_infra(now)
            if self.stopping:
                break
            self.check_services(time.monotonic())
            time.sleep(POLL_SECONDS)

    # --- stopping ----------------------------------------------------------------------------------
    def stop_all(self, timeout: float = 20.0) -> None:
        """SIGTERM to every service at once, SIGKILL to those still there after ``timeout``; then Kafka and
        Postgres."""
        procs = list(self.stack.processes.items())
        for _, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} (pid {proc.pid}) did not stop within {timeout:.0f}s: SIGKILL")
                proc.kill()
                proc.wait()
            (self.stack.state_dir / f"{name}.pid").unlink(missing_ok=True)
        self.stack.processes.clear()
        self.stack.stop_infra()
