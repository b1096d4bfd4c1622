#!/usr/bin/env python3
"""make bench: pipeline figures from one run on this machine (not a test; prints numbers, asserts nothing).

Starts its own stack (profile `bench`, own ports and data) and measures:
1. ingest: events/s accepted for batches of 100 events, and requests/s for single events (with p50/p99);
2. scorer: events/s scored, measured as the catch-up rate of a backlog (scorer stopped while the backlog is
   produced through ingest, then started; timed from its readiness until its counter covers the backlog);
3. freshness: p50/p99 seconds from ingest's 202 to the new score being visible in the api, one event at a time.
Everything shares the machine's 2 cores with Kafka, Postgres and the load generator itself.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from stack import Stack  # noqa: E402

TYPES = ["post.published", "comment.posted", "connection.accepted", "message.replied", "profile.viewed", "reaction.given"]


def event(rep: str, i: int) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "linkedin",
        "type": TYPES[i % len(TYPES)],
        "subject": rep,
        "time": (datetime.now(UTC) - timedelta(minutes=i % 600)).isoformat(),
        "data": {},
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def scorer_count(client: httpx.AsyncClient, port: int) -> float:
    text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sum(float(m) for m in re.findall(r'^ssi_scorer_events_total\{outcome="[a-z_]+"\} ([0-9.e+]+)$', text, re.M))


async def ingest_batches(client: httpx.AsyncClient, key: str, total: int, batch: int, concurrency: int) -> tuple[float, list[float]]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents-batch+json"}
    latencies: list[float] = []
    queue = list(range(0, total, batch))

    async def worker() -> None:
        while queue:
            start_index = queue.pop()
            body = [event(f"bench-rep-{(start_index + j) % 500}", start_index + j) for j in range(batch)]
            t = time.perf_counter()
            r = await client.post("/v1/events", json=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 202, r.text

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def ingest_singles(client: httpx.AsyncClient, key: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents+json"}
    latencies: list[float] = []
    remaining = [total]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            t = time.perf_counter()
            r = await client.post("/v1/events", json=event(f"single-{remaining[0] % 200}", remaining[0]), headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 202, r.text

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def freshness(ingest: httpx.AsyncClient, api: httpx.AsyncClient, key: str, samples: int) -> list[float]:
    auth = {"Authorization": f"Bearer {key}"}
    out = []
    for i in range(samples):
        rep = f"fresh-{uuid.uuid4().hex[:10]}"
        r = await ingest.post("/v1/events", json=event(rep, i), headers={**auth, "Content-Type": "application/cloudevents+json"})
        assert r.status_code == 202
        acked = time.perf_counter()
        while True:
            if (await api.get(f"/v1/reps/{rep}/score", headers=auth)).status_code == 200:
                out.append(time.perf_counter() - acked)
                break
            if time.perf_counter() - acked > 30:
                raise SystemExit(f"score for {rep} not visible after 30 s")
            await asyncio.sleep(0.005)
    return out


async def run(stack: Stack) -> dict:
    key = json.loads(stack.cli("tenant", "create", f"bench-{uuid.uuid4().hex[:8]}", "--json"))["api_key"]
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=60, limits=limits) as ingest, \
            httpx.AsyncClient(base_url=stack.api_url, timeout=60) as api, httpx.AsyncClient(timeout=10) as plain:
        await ingest_batches(ingest, key, 2_000, 100, 4)  # warm-up
        print("warmed up; producing the backlog with the scorer stopped", flush=True)
        results: dict = {}

        # 1+2: backlog through ingest while the scorer is stopped, then its catch-up rate
        stack.stop_service("scorer")
        backlog = 40_000
        rate, lat = await ingest_batches(ingest, key, backlog, 100, 8)
        results["ingest_batch100_events_per_s"] = round(rate)
        results["ingest_batch100_request_p50_s"] = round(pct(lat, 0.5), 4)
        results["ingest_batch100_request_p99_s"] = round(pct(lat, 0.99), 4)
        srate, slat = await ingest_singles(ingest, key, 3_000, 16)
        results["ingest_single_requests_per_s"] = round(srate)
        results["ingest_single_request_p50_s"] = round(pct(slat, 0.5), 4)
        results["ingest_single_request_p99_s"] = round(pct(slat, 0.99), 4)
        print("backlog produced; starting the scorer", flush=True)
        stack.start_service("scorer")
        stack.wait_ready("scorer", 180)
        start_count, started = await scorer_count(plain, stack.scorer_port), time.perf_counter()
        # the counter restarts at 0 with the process; the backlog is every record produced while it was down
        target = backlog + 3_000
        while True:
            done = await scorer_count(plain, stack.scorer_port)
            if done >= target:
                break
            if time.perf_counter() - started > 600:
                raise SystemExit(f"scorer did not catch up within 600 s ({done - start_count} of {target})")
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started
        results["scorer_events_per_s"] = round((done - start_count) / elapsed)
        results["scorer_backlog_records"] = int(done - start_count)

        print(f"scorer caught up: {results['scorer_events_per_s']} events/s; measuring freshness", flush=True)
        # 3: freshness once the backlog is gone
        await asyncio.sleep(3)
        fresh = await freshness(ingest, api, key, 100)
        results["ack_to_api_p50_s"] = round(statistics.median(fresh), 3)
        results["ack_to_api_p99_s"] = round(pct(fresh, 0.99), 3)
        results["ack_to_api_samples"] = len(fresh)
        return results


def main() -> None:
    stack = Stack.for_profile("bench")
    stack.start_infra()
    try:
        stack.start_services()
        results = asyncio.run(run(stack))
    finally:
        stack.stop_services()
        stack.stop_infra()
    print("\nbench results (one run, 2 cores shared by Kafka, Postgres, services and the load generator):")
    for name, value in results.items():
        print(f"  {name:34s} {value}")


if __name__ == "__main__":
    main()
