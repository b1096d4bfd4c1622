"""A second copy of a service of the test stack, with its own settings, on a free port (for tests that need
a setting the session's services do not have: a broken database, trusted proxies, ...)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stack import PYTHON, ROOT, Stack

MODULES = {"api": "services.api", "ingest": "services.ingest"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def extra_service(stack: Stack, name: str, env: dict[str, str], log_name: str) -> Iterator[tuple[str, Path]]:
    """Start ``name`` (api or ingest) with ``env`` on top of the stack's environment; yields (base URL, log)."""
    port = free_port()
    log_path = stack.state_dir / f"{log_name}.log"
    port_var = "SSI_API_PORT" if name == "api" else "SSI_INGEST_PORT"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(PYTHON), "-m", MODULES[name]], env={**stack.env(), port_var: str(port), **env},
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"{log_name} exited: {log_path.read_text()[-2000:]}"
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)  # noqa: S310 - loopback only
                break
            except OSError:
                assert time.monotonic() < deadline, f"{log_name} never answered: {log_path.read_text()[-2000:]}"
                time.sleep(0.3)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
