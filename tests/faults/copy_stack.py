"""A copy of the pipeline beside the session's: its own Kafka (one broker, or deploy/kafka.sh's 3-node
cluster), its own ingest, scorer and sink on free ports, and the session's Postgres and api (tenants keep the
two apart). The checker tests run a faulty scorer in it; the cluster test runs everything on three brokers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from stack import Stack
from tests.integration.extra_service import free_port

COPY_KAFKA_SHIFT = {1: 20, 3: 10}
"""Above the session's Kafka ports (29092 + offset, +1): the copy's single broker on +20/+21, the cluster's
three nodes on +10 to +15; clear of every other offset's ports, which are multiples of 100 apart."""


def copy_of(main: Stack, name: str, brokers: int = 1) -> Stack:
    return dataclasses.replace(
        main, state_dir=main.state_dir / name, kafka_port=main.kafka_port + COPY_KAFKA_SHIFT[brokers],
        ingest_port=free_port(), scorer_port=free_port(), sink_port=free_port(), kafka_brokers=brokers,
        scorer_workers=1, processes={})


@contextmanager
def copy_stack(main: Stack, name: str, brokers: int = 1, services: tuple[str, ...] = ("ingest", "sink"),
               ) -> Iterator[Stack]:
    """Start the copy's Kafka, topics and ``services`` (the api stays the session's); the scorer is left to the
    test, which starts it with the settings it needs. Everything is stopped and the copy's Kafka data removed
    at the end."""
    copy = copy_of(main, name, brokers)
    copy.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        copy.kafka("start")
        copy.cli("topics", "ensure")
        for service in services:
            copy.start_service(service)
        for service in services:
            copy.wait_ready(service, 120)
        yield copy
    finally:
        copy.stop_services()
        copy.kafka("destroy")
