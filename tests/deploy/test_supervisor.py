"""deploy/supervisor.py without a stack: backoff, exit descriptions, restarts of a dead child, and children that
end with the process that started them (even one killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import supervisor  # noqa: E402
from stack import CHILD_OPTIONS  # noqa: E402
from supervisor import Backoff, Supervisor, describe_exit, proc_alive, read_pid  # noqa: E402


def test_backoff_doubles_to_a_ceiling_and_starts_over_after_a_stable_run() -> None:
    backoff = Backoff(started_at=0.0)
    waits = []
    now = 1.0
    for _ in range(7):
        waits.append(backoff.schedule(now))
        backoff.started(now + waits[-1])
        now += waits[-1] + 0.5  # dies again half a second after each restart
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    backoff.started(now)
    assert backoff.schedule(now + supervisor.STABLE_AFTER) == supervisor.FIRST_DELAY


def test_exits_are_described_as_an_operator_reads_them() -> None:
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(3) == "exited with status 3"


def test_pids_are_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "x.pid").write_text(f"{os.getpid()}\n")
    assert read_pid(tmp_path / "x.pid") == os.getpid() and proc_alive(os.getpid())
    (tmp_path / "bad.pid").write_text("nope")
    assert read_pid(tmp_path / "bad.pid") is None and read_pid(tmp_path / "missing.pid") is None
    assert not proc_alive(None) and not proc_alive(2**22 + 12345)


class FakeStack:
    """What the supervisor uses of deploy/stack.Stack, with `sleep` for a service."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.started: list[str] = []

    def start_service(self, name: str) -> subprocess.Popen:
        self.started.append(name)
        proc = subprocess.Popen(["sleep", "60"], **CHILD_OPTIONS)
        self.processes[name] = proc
        return proc

    def stop_infra(self) -> None:
        pass


def test_a_dead_service_is_restarted_after_its_backoff_and_said_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = FakeStack(tmp_path)
    sup = Supervisor(stack)  # type: ignore[arg-type]
    first = stack.start_service("sink")
    try:
        sup.check_services(100.0)
        assert stack.started == ["sink"]
        first.kill()
        first.wait()
        sup.check_services(100.5)  # noticed: a restart is due 1 s later
        assert "sink (pid %d) was killed by SIGKILL; restarting in 1s" % first.pid in capsys.readouterr().out
        sup.check_services(101.0)
        assert stack.started == ["sink"]
        sup.check_services(101.6)
        assert stack.started == ["sink", "sink"] and stack.processes["sink"].pid != first.pid
        assert f"sink restarted (pid {stack.processes['sink'].pid}, restart 1)" in capsys.readouterr().out
        assert read_pid(tmp_path / "sink.pid") == stack.processes["sink"].pid
    finally:
        sup.stop_all(timeout=5)
    assert not stack.processes and not (tmp_path / "sink.pid").exists()


def test_a_child_ends_when_the_process_that_started_it_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time; sys.path.insert(0, sys.argv[1]); from stack import CHILD_OPTIONS; "
         "child = subprocess.Popen(['sleep', '60'], **CHILD_OPTIONS); print(child.pid, flush=True); time.sleep(60)",
         str(ROOT / "deploy")],
        stdout=subprocess.PIPE, text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert proc_alive(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while proc_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not proc_alive(child), "the child outlived the process that started it"
