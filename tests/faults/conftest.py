"""Fixtures of the fault tests: a harness per test (its own tenant), and one ingest with a small quota for the
whole session, so that one client of every run meets 429s and retries them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from stack import Stack
from tests.faults.harness import Harness
from tests.integration.extra_service import extra_service

QUOTA = {"SSI_INGEST_QUOTA_EVENTS_PER_SECOND": "30", "SSI_INGEST_QUOTA_BURST_EVENTS": "40"}


@pytest.fixture(scope="session")
def quota_ingest(stack: Stack) -> Iterator[str]:
    with extra_service(stack, "ingest", QUOTA, "ingest-quota") as (url, _log):
        yield url


@pytest.fixture
def harness(stack: Stack, tenant_factory: Callable[[str], dict[str, str]], quota_ingest: str) -> Harness:
    return Harness(stack, tenant_factory("faults"), quota_ingest_url=quota_ingest)
