"""What the scorer writes (snapshots, ledger, stored outcomes, the two tables' changelogs), handed to the Kafka
client as one record batch per topic partition instead of one ``send`` per record.

Why: Faust's ``send_soon`` takes each record through its producer buffer (a queue, a task hop, ``publish_message``,
the driver's ``send``, aiokafka's ``send``). At 1,000 live events/s a worker's batches hold about 110 records of
about 90 reps, so each event costs four records (state, dedup, snapshot, ledger), and py-spy put that path at
about a third of the worker's time (README, "Performance (scorer, sink, end to end)"): the worker saturated
and scores waited seconds. Here a record is appended to aiokafka's ``BatchBuilder`` and each topic partition's
builder is submitted with ``send_batch``, on Faust's own aiokafka producer (acks=all), so Faust's commit, which
flushes that producer first, waits for these batches too.

Order: every write to these topics and changelogs goes through here, never through Faust's buffer as well, and
submissions are serialised, so a partition's records reach the client in the order they were added (aiokafka
keeps a partition's batches in order; ``send_batch`` waits while that partition's previous batch is undrained).

Delivery: ``send()`` returns a future that completes once the broker acknowledged every batch it submitted.
The batch consumer acks the input records only then (services.scorer.batch_consumer), so an offset is never
committed before what it produced is in Kafka. A failed batch makes ``failure`` set and ``on_failure`` called
(the worker crashes and restarts from its last commit; replays are idempotent), and every later ``send``
raises it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("ssi.scorer")

Headers = list[tuple[str, bytes]]


class Outbox:
    def __init__(self, producer: Callable[[], Any], on_failure: Callable[[BaseException], None]) -> None:
        self._producer = producer  # () -> the started aiokafka producer (create_batch, send_batch)
        self._on_failure = on_failure
        self._records: dict[tuple[str, int], list[tuple[bytes, bytes | None, Headers]]] = {}
        self._lock = asyncio.Lock()
        self.failure: BaseException | None = None

    def add(self, topic: str, partition: int, key: bytes, value: bytes | None, headers: Headers | None = None) -> None:
        """Queue one record (``value`` None: a tombstone) for the next ``send``."""
        group = self._records.get((topic, partition))
        if group is None:
            group = self._records[(topic, partition)] = []
        group.append((key, value, headers or []))

    def __len__(self) -> int:
        return sum(len(group) for group in self._records.values())

    async def send(self) -> asyncio.Future[Any] | None:
        """Submit everything added so far; the returned future completes when the broker acknowledged all of it
        (None when nothing was added). Raises the failure of an earlier submission."""
        async with self._lock:
            if self.failure is not None:
                raise self.failure
            records, self._records = self._records, {}
            if not records:
                return None
            producer = self._producer()
            acks = []
            for (topic, partition), group in records.items():
                batch = producer.create_batch()
                for key, value, headers in group:
                    if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:  # full
                        acks.append(await producer.send_batch(batch, topic, partition=partition))
                        batch = producer.create_batch()
                        batch.append(timestamp=None, key=key, value=value, headers=headers)  # a first always fits
                acks.append(await producer.send_batch(batch, topic, partition=partition))
            done = asyncio.gather(*acks)
            done.add_done_callback(self._check)
            return done

    def _check(self, done: asyncio.Future[Any]) -> None:
        if done.cancelled():
            exc: BaseException = asyncio.CancelledError("a produce batch was cancelled")
        else:
            exc = done.exception()  # type: ignore[assignment]
            if exc is None:
                return
        if self.failure is None:
            self.failure = exc
            log.error("a produce batch failed; the worker stops before committing past it: %r", exc)
            self._on_failure(exc)
