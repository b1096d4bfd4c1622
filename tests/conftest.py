"""Test session plumbing.

Unit tests (everything outside tests/integration and tests/e2e) need nothing. Integration tests get the real
stack of the `test` profile (Kafka, Postgres, ingest, scorer, sink, api on their own ports and data folders,
see deploy/stack.py), started once per session. If it cannot start, those tests FAIL with the reason: they
never skip. Each test isolates itself by creating its own tenant.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from stack import Stack  # noqa: E402

INTEGRATION_DIRS = ("integration", "e2e", "ops")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests/integration and tests/e2e, and run the unit tests first (the order `make test` promises):
    some unit modules take "now" at import, and minutes of integration tests before them made it stale."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in INTEGRATION_DIRS:
            item.add_marker(pytest.mark.integration)
        elif parts and parts[0] == "faults" and "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)  # the fault tests; the checker's own tests are unit tests
    items.sort(key=lambda item: item.get_closest_marker("integration") is not None)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The real stack of the test profile. Fails (never skips) when it cannot start."""
    s = Stack.for_profile("test")
    try:
        s.start_infra()
        s.start_services()
    except (SystemExit, RuntimeError) as exc:
        s.stop_services()
        pytest.fail(f"the test stack could not start: {exc}", pytrace=False)
    yield s
    s.stop_services()
    if os.environ.get("SSI_KEEP_STACK") != "1":
        s.stop_infra()


@pytest.fixture
def tenant_factory(stack: Stack) -> Callable[[str], dict[str, str]]:
    """Creates a tenant with the real `ssi` CLI; names are unique per test."""
    counter = iter(range(1000))

    def create(label: str = "t") -> dict[str, str]:
        name = f"{label}-{os.urandom(6).hex()}-{next(counter)}"
        return json.loads(stack.cli("tenant", "create", name, "--json"))

    return create


@pytest.fixture
def tenant(tenant_factory: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return tenant_factory("test")


@pytest.fixture
async def ingest(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=30) as client:
        yield client


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as client:
        yield client
