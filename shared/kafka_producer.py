"""An idempotent acks=all producer that returns only once Kafka acknowledged every record it was given.

Connects on first use (so a service can start while Kafka is away and answer 503 meanwhile)."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared import topics

Record = tuple[str, bytes, bytes | None]
"""(topic, key, value); a None value is a tombstone."""
log = logging.getLogger(__name__)


class KafkaUnavailable(Exception):
    """Kafka did not take the events in time; the caller answers 503 and the sender retries."""


class Producer:
    def __init__(self, bootstrap: str, timeout: float) -> None:
        self._bootstrap = bootstrap
        self._timeout = timeout
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._next_attempt = 0.0

    async def start(self) -> None:
        """Connect if not connected; failures are remembered briefly so a dead Kafka is not hammered."""
        if self._producer is not None:
            return
        async with self._lock:
            if self._producer is not None:
                return
            if time.monotonic() < self._next_attempt:
                raise KafkaUnavailable("Kafka was unreachable moments ago")
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                acks="all",
                enable_idempotence=True,
                linger_ms=2,
                request_timeout_ms=int(self._timeout * 1000),
                compression_type=None,
            )
            try:
                await asyncio.wait_for(producer.start(), self._timeout)
            except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                self._next_attempt = time.monotonic() + 1.0
                await producer.stop()
                raise KafkaUnavailable(f"cannot connect to Kafka: {type(exc).__name__}") from exc
            self._producer = producer
            log.info("connected to Kafka at %s", self._bootstrap)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send_all(self, records: list[Record]) -> None:
        """Hand every record to Kafka, then wait until all are acknowledged (or raise KafkaUnavailable)."""
        await self.start()
        assert self._producer is not None
        try:
            futures = [await self._producer.send(topic, value=value, key=key) for topic, key, value in records]
            await asyncio.wait_for(asyncio.gather(*futures), self._timeout)
        except (KafkaError, asyncio.TimeoutError) as exc:
            raise KafkaUnavailable(f"Kafka did not acknowledge: {type(exc).__name__}") from exc

    async def ready(self) -> None:
        await self.start()
        assert self._producer is not None
        await asyncio.wait_for(self._producer.partitions_for(topics.ACTIVITY), self._timeout)
