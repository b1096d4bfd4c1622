"""An idempotent acks=all producer that returns only once Kafka acknowledged every record it was given.

Connects on first use (so a service can start while Kafka is away and answer 503 meanwhile). One producer per
process is shared by every request: concurrent requests' records land in the same per-partition batches, so
their waits for the broker's acknowledgement overlap instead of queueing one round trip after another."""

from __future__ import annotations

import asyncio
import logging
import struct
import time

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from shared import topics
from shared.kafka_security import PLAINTEXT, KafkaSecurity

Record = tuple[str, bytes, bytes | None]
"""(topic, key, value); a None value is a tombstone."""
log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1_048_576
"""The producer's request limit (aiokafka's default, within the broker's default message.max.bytes of 1 MiB +
12 bytes). A record larger than this can never be written, so it is refused before anything is sent."""

LINGER_MS = 0
"""No linger. aiokafka keeps one produce request in flight per broker, so while it awaits one request's
acks=all answer the records of every concurrent request gather into the next: the batching happens by itself
under load, and a linger only makes each request wait longer before that. Measured with 25 senders each
awaiting its own ack (tests/bench/producer_linger.py, this machine): 0 ms 33.8k acknowledged sends/s at
21 us CPU per send; 1 ms 14.7k at 32 us; 2 ms 8.6k at 34 us; 5 ms 4.2k at 55 us."""

MAX_BATCH_BYTES = 256 * 1024
"""Per-partition batch size: a request of 100 events of ~400 bytes fills 40 KB; with the default 16 KiB such
a request became several batches, each its own entry in the produce request."""


class KafkaUnavailable(Exception):
    """Kafka did not take the events in time; the caller answers 503 and the sender retries."""


class RecordTooLarge(KafkaUnavailable):
    """A record is larger than Kafka accepts: retrying never helps. Callers that know answer 413; one that
    only catches KafkaUnavailable still answers 503 as before (nothing is sent either way)."""

    def __init__(self, index: int, size: int, limit: int) -> None:
        super().__init__(f"record {index} is {size} bytes on Kafka, more than the {limit}-byte limit")
        self.index, self.size, self.limit = index, size, limit


def record_size(key: bytes | None, value: bytes | None) -> int:
    """The size aiokafka itself checks against the request limit: the record in a batch of its own."""
    return DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, [])


class Producer:
    def __init__(self, bootstrap: str, timeout: float, *, linger_ms: int = LINGER_MS,
                 security: KafkaSecurity = PLAINTEXT) -> None:
        self._bootstrap = bootstrap
        self._security = security
        self._timeout = timeout
        self._linger_ms = linger_ms
        self.max_record_bytes = MAX_REQUEST_BYTES
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
                linger_ms=self._linger_ms,
                max_batch_size=MAX_BATCH_BYTES,
                max_request_size=MAX_REQUEST_BYTES,
                request_timeout_ms=int(self._timeout * 1000),
                compression_type=None,
                partitioner=KeyHashPartitioner(),
                **self._security.client_kwargs(),
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

    def check_sizes(self, records: list[Record]) -> None:
        """Raise RecordTooLarge for the first record Kafka would refuse, before anything is sent."""
        for index, (_, key, value) in enumerate(records):
            size = record_size(key, value)
            if size > self.max_record_bytes:
                raise RecordTooLarge(index, size, self.max_record_bytes)

    async def send_all(self, records: list[Record], headers: list[tuple[str, bytes]] | None = None) -> None:
        """Hand every record to Kafka, then wait until all are acknowledged (or raise KafkaUnavailable;
        RecordTooLarge, before anything is sent, when one can never fit). ``headers`` go on every record (the
        request id: shared.http.request_id)."""
        self.check_sizes(records)
        await self.start()
        assert self._producer is not None
        try:
            async with asyncio.timeout(self._timeout):  # cheaper than wait_for(gather(...)) per request
                futures = [await self._producer.send(topic, value=value, key=key, headers=headers)
                           for topic, key, value in records]
                for future in futures:  # all are in flight already: this waits for the last ack
                    await future
        except (KafkaError, TimeoutError) as exc:
            raise KafkaUnavailable(f"Kafka did not acknowledge: {type(exc).__name__}") from exc

    async def ready(self) -> None:
        await self.start()
        assert self._producer is not None
        await asyncio.wait_for(self._producer.partitions_for(topics.ACTIVITY), self._timeout)


_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2_fast(data: bytes) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), the same value as aiokafka's pure-Python
    ``murmur2`` (tests/shared/test_partitioner.py checks it on arbitrary bytes), in about a third of its time:
    the 4-byte words are unpacked at once and the masks fewer (every product is masked before it is reused)."""
    length = len(data)
    h = 0x9747B28C ^ length
    whole = length & ~3
    for (k,) in struct.iter_unpack("<I", data[:whole]):
        k = (k * _M) & _MASK
        k = ((k ^ (k >> 24)) * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    extra = length & 3
    if extra:
        if extra >= 3:
            h ^= data[whole + 2] << 16
        if extra >= 2:
            h ^= data[whole + 1] << 8
        h = ((h ^ data[whole]) * _M) & _MASK
    h = ((h ^ (h >> 13)) * _M) & _MASK
    return h ^ (h >> 15)


class KeyHashPartitioner:
    """aiokafka's default partitioner (murmur2 of the key, as Kafka's Java client) with each key's hash
    remembered: murmur2 is pure Python in aiokafka, 4 us a record for a rep key, and those keys (tenant and rep)
    repeat; a key seen once (a webhook delivery's dedup key) is hashed by ``murmur2_fast``.
    Keyless records go to a random partition as with the default. The cache is cleared when it is full."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._hashes: dict[bytes, int] = {}
        self._max = max_entries

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return DefaultPartitioner()(key, all_partitions, available)
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= self._max:
                self._hashes.clear()
            hashed = self._hashes[key] = murmur2_fast(key) & 0x7FFFFFFF
        return all_partitions[hashed % len(all_partitions)]
