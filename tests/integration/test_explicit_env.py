"""Services started without SSI_ENV (an image, compose or Kubernetes that forgot it) refuse to start, naming
the variable; `make run`/`make test` set it, and the operator CLI on a developer's machine still works."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from stack import PYTHON, ROOT

COMMANDS = {
    "api": ["-m", "services.api"],
    "ingest": ["-m", "services.ingest"],
    "scorer": ["-m", "services.scorer", "worker", "--loglevel", "warn"],
    "sink": ["-m", "services.scorer.sink"],
}


def without_env(stack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in stack.env().items() if k != "SSI_ENV"}
    env.update(SSI_API_PORT="1", SSI_INGEST_PORT="1", SSI_SCORER_PORT="1", SSI_SINK_PORT="1")  # never bound
    return env


@pytest.mark.parametrize("service", sorted(COMMANDS))
def test_a_service_without_ssi_env_refuses_to_start(stack, service) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([str(PYTHON), *COMMANDS[service]], env=without_env(stack), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "SSI_ENV is not set" in done.stdout + done.stderr


def test_the_cli_works_without_ssi_env(stack) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "ssi"), "tenant", "create", f"no-env-{os.urandom(4).hex()}",
                           "--json"], env=without_env(stack), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["api_key"].startswith("ssi_")
