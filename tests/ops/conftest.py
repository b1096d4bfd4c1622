"""The operations tests' own stack: `deploy/stack.py up --profile ops`, supervised exactly as `make run` is.

The test profile's session stack (tests/conftest.py) is not supervised on purpose (fault tests control its
restarts); this one is, on its own ports and data folder, shared by the supervision and Prometheus tests. Its
teardown is itself a check: a Ctrl-C (SIGINT to the process group, as a terminal sends it) must stop every
process of the stack, Kafka and Postgres included, leaving none behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stack import PYTHON, ROOT, Stack
from supervisor import kafka_pid, postgres_pid, proc_alive, read_pid

START_SECONDS = 300.0
WORKERS = 2
"""Scoring workers of the ops stack (as `make run` has): Prometheus scrapes each, a kill moves partitions."""


@dataclass
class Supervised:
    stack: Stack
    proc: subprocess.Popen
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def pid(self, name: str) -> int | None:
        if name == "kafka":
            return kafka_pid(self.stack.state_dir)
        if name == "postgres":
            return postgres_pid(self.stack.state_dir)
        return read_pid(self.stack.state_dir / f"{name}.pid")

    def wait_for_output(self, needle: str, timeout: float, after: int = 0) -> None:
        """Wait until the supervisor printed ``needle`` (past character ``after`` of its output)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text()[after:]:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the supervisor exited ({self.proc.returncode}):\n{self.text()[-4000:]}")
            time.sleep(0.3)
        raise AssertionError(f"the supervisor never printed {needle!r} in {timeout:.0f}s:\n{self.text()[-4000:]}")

    def all_pids(self) -> dict[str, int]:
        names = ["kafka", "postgres", *self.stack.service_names()]
        return {name: pid for name in names if (pid := self.pid(name))}


@pytest.fixture(scope="package")
def supervised() -> Iterator[Supervised]:
    stack = Stack.for_profile("ops")
    stack.scorer_workers = WORKERS
    stack.state_dir.mkdir(parents=True, exist_ok=True)
    for name in ("ingest", "api", "sink", *stack.scorer_names()):  # the logs of this run only
        (stack.state_dir / f"{name}.log").unlink(missing_ok=True)
    output = stack.state_dir / "supervisor.out"
    with output.open("wb") as out:
        proc = subprocess.Popen(
            [str(PYTHON), str(ROOT / "deploy" / "stack.py"), "up", "--profile", "ops", "--no-demo"],
            # the event trail on (SSI_LOG_TRAIL): the tests follow one event through the logs
            env={**os.environ, "SSI_LOG_TRAIL": "1", "SSI_SCORER_WORKERS": str(WORKERS)},
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Supervised(stack, proc, output)
    try:
        running.wait_for_output("Social Selling Index is running.", START_SECONDS)
    except AssertionError:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(120)
        raise
    yield running
    pids = running.all_pids()
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    proc.wait(120)
    left = {name: pid for name, pid in pids.items() if proc_alive(pid)}
    assert not left, f"still running after Ctrl-C of the supervisor: {left}\n{running.text()[-3000:]}"
    assert "stopped." in running.text()
