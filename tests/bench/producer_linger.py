#!/usr/bin/env python3
"""How aiokafka's linger_ms behaves for the ingest's pattern: N concurrent senders, each sending one record
and waiting for its acks=all acknowledgement before the next (as one HTTP request after another does).
Prints acknowledged sends/s and the producer's CPU per send for a few lingers. Needs a running Kafka:

    SSI_PORT_OFFSET=200 .venv/bin/python deploy/stack.py infra --profile bench
    .venv/bin/python tests/bench/producer_linger.py 127.0.0.1:39292     # the bench profile's Kafka, offset 200
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time

import uvloop
from aiokafka import AIOKafkaProducer

SECONDS, VALUE = 8, b"x" * 364  # the size of an ingest envelope


async def run(bootstrap: str, senders: int, linger_ms: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                linger_ms=linger_ms, max_batch_size=256 * 1024)
    await producer.start()
    stop, acked = time.monotonic() + SECONDS, 0

    async def sender(i: int) -> None:
        nonlocal acked
        key = f"tenant|rep-{i}".encode()
        while time.monotonic() < stop:
            await (await producer.send("ssi.bench.linger", value=VALUE, key=key))
            acked += 1

    before, started = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    await asyncio.gather(*(sender(i) for i in range(senders)))
    wall, after = time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"{senders} senders, linger {linger_ms} ms: {acked / wall:7.0f} acknowledged sends/s, "
          f"{1e6 * cpu / acked:4.0f} us CPU per send, {cpu / wall:4.0%} of a core", flush=True)
    await producer.stop()


if __name__ == "__main__":
    for linger in (0, 1, 2, 5):
        uvloop.run(run(sys.argv[1], 25, linger))
