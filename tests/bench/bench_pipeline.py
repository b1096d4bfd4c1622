#!/usr/bin/env python3
"""make bench (pipeline part): scorer, sink and end-to-end figures from one run on this machine. Not a test:
prints numbers, asserts nothing.

Starts its own stack from empty data (profile `bench`, own ports). On the activity topic it builds:
- H: 100 reps x 12 weeks of the calibration's steady week (tests/scenarios.py), produced with a raw aiokafka
  producer (whose rate is printed: the producer ceiling);
- M: 50,000 recent events for those same reps (they already carry 12 weeks of history);
- F: 50,000 events for 1,000 reps never seen before (fresh).
Then it prints, in one run on the same topic:
1. the ceiling: a raw aiokafka consumer reading H+M+F with JSON decode, in records/s;
2. the scorer, one worker, new consumer group: H (history build-up), then M, then F, each as a backlog
   produced while the worker was stopped, timed from the first record scored to the last; each with its
   ratio to the ceiling;
3. the scorer, two workers (another new group) over the whole topic, beside one worker's time for the same,
   and a burst of 100,000 events into a running group of 1 worker, then of 2 (start-up rebalances excluded);
4. the sink catching up on everything the scorer wrote: ledger rows/s and records/s;
5. state and record sizes: the 12-week rep's stored state, the snapshot and ledger record sizes;
6. end to end over HTTP (ingest -> Kafka -> 2 scorer workers -> sink -> api): the highest rate tried at which
   the lag stays bounded (the probe sent at the end of 20 s of load is readable within 5 s);
7. freshness, 202 to readable in the api, p50/p99 over 100 probes under a background load of 1,000 events/s.
Everything shares the machine's 2 cores: Kafka, Postgres, the services and the load generator itself.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from stack import Stack  # noqa: E402

from shared import topics  # noqa: E402
from shared.scoring import RepState, apply_event, load_default_model  # noqa: E402
from tests.scenarios import STEADY_WEEK, weeks_of  # noqa: E402

HISTORY_REPS = 100
RECENT = 50_000
FRESH_REPS = 1_000
TYPES = sorted(load_default_model().activities)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def envelope(tenant_id: str, event: dict) -> tuple[bytes, bytes]:
    value = orjson.dumps({"tenant_id": tenant_id, "received_at": datetime.now(UTC).isoformat(), "event": event})
    return topics.rep_key(tenant_id, event["subject"]).encode(), value


def recent_event(rep: str, rng: random.Random, now: datetime) -> dict:
    return {"specversion": "1.0", "id": uuid.uuid4().hex, "source": "linkedin", "type": rng.choice(TYPES),
            "subject": rep, "time": (now - timedelta(hours=rng.uniform(0, 72))).isoformat(),
            "data": {"counterpart": {"is_decision_maker": rng.random() < 0.3}}}


async def produce(bootstrap: str, records: list[tuple[bytes, bytes]]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5,
                                max_batch_size=512 * 1024)
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(topics.ACTIVITY, value, key=key) for key, value in records]
        await asyncio.gather(*futures)
        return len(records) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def raw_consume(bootstrap: str, total: int) -> float:
    consumer = AIOKafkaConsumer(topics.ACTIVITY, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                max_partition_fetch_bytes=4 << 20, fetch_max_bytes=64 << 20)
    await consumer.start()
    try:
        got, started = 0, None
        while got < total:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batch.values():
                started = started or time.perf_counter()
                for record in records:
                    orjson.loads(record.value)
                    got += 1
        return got / (time.perf_counter() - (started or time.perf_counter()))
    finally:
        await consumer.stop()


async def metric(client: httpx.AsyncClient, port: int, name: str) -> float:
    try:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.HTTPError:
        return 0.0
    return sum(float(m) for m in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M))


async def drain(stack: Stack, plain: httpx.AsyncClient, names: list[str], target: float) -> float:
    """Seconds from the first batch's start (its end, less the handling time the workers report) to
    ``target`` records handled (summed over ``names``' counters)."""
    started = None
    deadline = time.monotonic() + 1800
    while True:
        done = sum([await metric(plain, stack.worker_port(n), "ssi_scorer_events_total") for n in names])
        if done and started is None:  # the first batch(es) ended just now: count their handling time too
            handling = max([await metric(plain, stack.worker_port(n), "ssi_scorer_batch_seconds_sum") for n in names])
            started = time.perf_counter() - handling
        if done >= target:
            return time.perf_counter() - (started or time.perf_counter())
        if time.monotonic() > deadline:
            raise SystemExit(f"scorer did not drain: {done} of {target}")
        await asyncio.sleep(0.1)


async def settled(stack: Stack, timeout: float = 300) -> float:
    """Wait until the scorer workers and the sink report no lag (their gauges; the scorer's is refreshed every
    5 s), at least 20 s; returns the seconds waited. A freshness run started on a backlog measures the backlog."""
    started = time.monotonic()
    await asyncio.sleep(20)
    async with httpx.AsyncClient(timeout=10) as plain:
        async def lag() -> float:
            return sum([await metric(plain, stack.worker_port(n), "ssi_scorer_consumer_lag_records")
                        for n in stack.scorer_names()]) + await metric(plain, stack.sink_port,
                                                                        "ssi_sink_consumer_lag_records")

        while time.monotonic() - started < timeout:
            if await lag() == 0:
                await asyncio.sleep(6)  # one more report of the scorer's gauge, then one more look
                if await lag() == 0:
                    break
            await asyncio.sleep(1)
    waited = time.monotonic() - started
    print(f"  the backlog drained after {waited:.0f} s", flush=True)
    return waited


async def scorer_phase(stack: Stack, plain: httpx.AsyncClient, app_id: str, names: list[str], target: int) -> float:
    for name in names:
        stack.start_service(name, {"SSI_SCORER_APP_ID": app_id})
    for name in names:
        stack.wait_ready(name, 600)
    seconds = await drain(stack, plain, names, target)
    for name in names:
        stack.stop_service(name)
    return seconds


async def burst_rate(stack: Stack, plain: httpx.AsyncClient, app_id: str, names: list[str],
                     records: list[tuple[bytes, bytes]]) -> float:
    """A running, caught-up group absorbing a burst: workers started and ready (their start-up rebalances
    over), then ``records`` produced; events/s from the first record produced to the last one handled (the
    producer shares the cores for the first seconds)."""
    for name in names:
        stack.start_service(name, {"SSI_SCORER_APP_ID": app_id})
    for name in names:
        stack.wait_ready(name, 600)
    before, still = -1.0, 0
    while still < 4:  # settled: nothing left to catch up on for 2 s
        await asyncio.sleep(0.5)
        count = sum([await metric(plain, stack.worker_port(n), "ssi_scorer_events_total") for n in names])
        still = still + 1 if count == before else 0
        before = count
    for name in names:
        stack.wait_ready(name, 600)
    started = time.perf_counter()
    await produce(stack.kafka_bootstrap, records)
    while sum([await metric(plain, stack.worker_port(n), "ssi_scorer_events_total") for n in names]) < before + len(records):
        if time.perf_counter() - started > 900:
            raise SystemExit("the burst was not absorbed within 900 s")
        await asyncio.sleep(0.05)
    rate = len(records) / (time.perf_counter() - started)
    for name in names:
        stack.stop_service(name)
    return rate


async def post_paced(client: httpx.AsyncClient, key: str, rate: int, seconds: float, rng: random.Random) -> tuple[int, float]:
    """Send ``rate`` events/s in batches of 50 from 8 concurrent senders; returns (events acked, seconds)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents-batch+json"}
    now = datetime.now(UTC)
    batch, interval = 50, 50 / rate
    sent = [0]
    started = time.perf_counter()

    async def sender(offset: int) -> None:
        i = offset
        while True:
            due = started + i * interval
            if due - started >= seconds:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body = [recent_event(f"e2e-rep-{rng.randrange(2000)}", rng, now) for _ in range(batch)]
            r = await client.post("/v1/events", content=orjson.dumps(body), headers=headers)
            if r.status_code == 202:
                sent[0] += batch
            i += 8

    await asyncio.gather(*(sender(k) for k in range(8)))
    return sent[0], time.perf_counter() - started


async def probe(ingest: httpx.AsyncClient, api: httpx.AsyncClient, key: str, limit: float) -> float | None:
    auth = {"Authorization": f"Bearer {key}"}
    rep = f"probe-{uuid.uuid4().hex[:10]}"
    event = recent_event(rep, random.Random(), datetime.now(UTC))
    r = await ingest.post("/v1/events", json=event, headers={**auth, "Content-Type": "application/cloudevents+json"})
    if r.status_code != 202:
        return None
    acked = time.perf_counter()
    while time.perf_counter() - acked < limit:
        if (await api.get(f"/v1/reps/{rep}/score", headers=auth)).status_code == 200:
            return time.perf_counter() - acked
        await asyncio.sleep(0.01)
    return None


def du(path: Path) -> int:
    """Bytes on disk (allocated blocks: Kafka's index files are sparse, preallocated at 10 MB each)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


class Figures(list):  # type: ignore[type-arg]
    def append(self, item: tuple[str, object]) -> None:  # type: ignore[override]
        print(f"  {item[0]:78s} {item[1]}", flush=True)
        super().append(item)


async def run(stack: Stack) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = Figures()
    tenant = json.loads(stack.cli("tenant", "create", f"bench-{uuid.uuid4().hex[:8]}", "--json"))
    tid, key = tenant["tenant_id"], tenant["api_key"]
    rng = random.Random(11)
    now = datetime.now(UTC)
    history = [e for r in range(HISTORY_REPS) for e in weeks_of(f"hist-{r:03d}", STEADY_WEEK, 12, now, seed=r)]
    recent = [recent_event(f"hist-{rng.randrange(HISTORY_REPS):03d}", rng, now) for _ in range(RECENT)]
    fresh = [recent_event(f"fresh-{rng.randrange(FRESH_REPS):04d}", rng, now) for _ in range(RECENT)]
    total = len(history) + len(recent) + len(fresh)
    async with httpx.AsyncClient(timeout=10) as plain:
        print(f"producing H ({len(history)} events, {HISTORY_REPS} reps x 12 weeks), scorer stopped", flush=True)
        producer_rate = await produce(stack.kafka_bootstrap, [envelope(tid, e) for e in history])
        out.append(("ceiling: raw aiokafka producer (acks=all, idempotent), records/s", round(producer_rate)))
        print("scorer, 1 worker: building the history", flush=True)
        seconds_h = await scorer_phase(stack, plain, "bench-one", ["scorer"], len(history))
        await produce(stack.kafka_bootstrap, [envelope(tid, e) for e in recent])
        print("scorer, 1 worker: recent events of reps with 12 weeks of history", flush=True)
        seconds_m = await scorer_phase(stack, plain, "bench-one", ["scorer"], len(recent))
        await produce(stack.kafka_bootstrap, [envelope(tid, e) for e in fresh])
        print("scorer, 1 worker: fresh reps", flush=True)
        seconds_f = await scorer_phase(stack, plain, "bench-one", ["scorer"], len(fresh))
        print("ceiling: raw consumer with JSON decode", flush=True)
        ceiling = await raw_consume(stack.kafka_bootstrap, total)
        out.append(("ceiling: raw aiokafka consumer + JSON decode, records/s", round(ceiling)))
        for label, n, secs in (("H: building 12 weeks of history", len(history), seconds_h),
                               ("M: reps carrying 12 weeks of history", len(recent), seconds_m),
                               ("F: fresh reps", len(fresh), seconds_f)):
            rate = n / secs
            out.append((f"scorer 1 worker, {label}, events/s (ratio to ceiling)", f"{rate:,.0f} ({rate / ceiling:.1%})"))
        out.append(("scorer 1 worker, M / F (history vs fresh)", f"{seconds_f / seconds_m * len(recent) / len(fresh):.2f}"))
        one = total / (seconds_h + seconds_m + seconds_f)
        print("scorer, 2 workers, new group, whole topic", flush=True)
        stack.scorer_workers = 2
        seconds_two = await scorer_phase(stack, plain, "bench-two", ["scorer", "scorer-2"], total)
        two = total / seconds_two
        out.append(("scorer 1 worker, whole topic (sum of phases), events/s", f"{one:,.0f}"))
        out.append(("scorer 2 workers, whole topic from their start (rebalances included), events/s",
                    f"{two:,.0f} ({two / one:.2f}x)"))
        print("a running group absorbing a burst of 100,000 events: 1 worker, then 2", flush=True)
        burst = [envelope(tid, recent_event(f"burst-{rng.randrange(2000):04d}", rng, now)) for _ in range(100_000)]
        b1 = await burst_rate(stack, plain, "bench-one", ["scorer"], burst)
        burst = [envelope(tid, recent_event(f"burst-{rng.randrange(2000):04d}", rng, now)) for _ in range(100_000)]
        b2 = await burst_rate(stack, plain, "bench-two", ["scorer", "scorer-2"], burst)
        out.append(("burst of 100,000 into a running group: 1 worker / 2 workers, events/s (2 vs 1)",
                    f"{b1:,.0f} / {b2:,.0f} ({b2 / b1:.2f}x)"))
        extra_ledger = 300_000  # burst 1 into both groups (the second catches up on it first), burst 2 into one

        print("sink catching up on the ledger and snapshots of both groups", flush=True)
        stack.start_service("sink")
        stack.wait_ready("sink", 60)
        started = time.perf_counter()
        ledger_rows = 'ssi_sink_rows_written_total{table="scored_events"}'
        while (rows := await metric(plain, stack.sink_port, ledger_rows)) < 2 * total + extra_ledger:
            if time.perf_counter() - started > 900:
                raise SystemExit(f"sink did not catch up: {rows} ledger rows of {2 * total + extra_ledger}")
            await asyncio.sleep(0.1)
        seconds = time.perf_counter() - started
        records = await metric(plain, stack.sink_port, "ssi_sink_records_total")
        out.append(("sink ledger rows/s (two groups' rows, the first write wins)", f"{rows / seconds:,.0f}"))
        out.append(("sink records/s (snapshots + ledger records)", f"{records / seconds:,.0f}"))

    model = load_default_model()
    state = RepState()
    for i, e in enumerate(weeks_of("one", STEADY_WEEK, 12, now)):
        apply_event(model, state, event_type=e["type"], source=e["source"], seq=i, data=e["data"],
                    event_time=datetime.fromisoformat(e["time"]).timestamp())
    out.append(("state of the 12-week steady rep, bytes (buckets)", f"{len(state.to_bytes())} ({state.bucket_count})"))
    sizes = await record_sizes(stack.kafka_bootstrap)
    out.append(("score snapshot record, bytes (avg / max)", sizes["scores"]))
    out.append(("ledger record, bytes per scored event (avg)", sizes["ledger"]))
    kafka_bytes, pg_bytes = du(stack.state_dir / "kafka-data"), du(stack.state_dir / "pgdata")
    out.append((f"disk after {total:,} events x 2 groups + 300,000 burst events: Kafka / Postgres, MB",
                f"{kafka_bytes / 1e6:,.0f} / {pg_bytes / 1e6:,.0f}"))

    print("end to end over HTTP with 2 workers (the caught-up group of step 3) and the sink", flush=True)
    for name in stack.scorer_names():
        stack.start_service(name, {"SSI_SCORER_APP_ID": "bench-two"})
    for name in stack.scorer_names():
        stack.wait_ready(name, 600)
    await asyncio.sleep(3)
    async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=30, limits=httpx.Limits(max_connections=32)) as ingest, \
            httpx.AsyncClient(base_url=stack.api_url, timeout=30) as api:
        best = None
        for rate in (1000, 2000, 3000, 4000, 5000, 6000, 8000):
            sent, secs = await post_paced(ingest, key, rate, 20.0, rng)
            lag = await probe(ingest, api, key, 5.0)
            achieved = sent / secs
            ok = lag is not None and achieved >= 0.95 * rate
            print(f"  offered {rate}/s: ingested {achieved:,.0f}/s, probe readable after "
                  f"{'%.2f s' % lag if lag is not None else '> 5 s'} -> {'bounded' if ok else 'NOT bounded'}", flush=True)
            if not ok:
                break
            best = (rate, achieved)
        out.append(("end to end: highest rate tried with bounded lag, events/s",
                    f"{best[1]:,.0f} (offered {best[0]})" if best else "none of the rates tried"))

        await settled(stack)  # the ramp's backlog drained before the freshness run
        print("freshness under a background load of 1,000 events/s", flush=True)
        background = asyncio.create_task(post_paced(ingest, key, 1000, 60.0, random.Random(5)))
        await asyncio.sleep(3)
        lags = []
        while len(lags) < 100 and not background.done():
            lag = await probe(ingest, api, key, 10.0)
            lags.append(lag if lag is not None else 10.0)
        sent, secs = await background
        out.append((f"freshness 202 -> api at {sent / secs:,.0f} events/s background, p50 / p99 s ({len(lags)} probes)",
                    f"{statistics.median(lags):.3f} / {pct(lags, 0.99):.3f} (p90 {pct(lags, 0.9):.3f}; "
                    f"{sum(lag > 1 for lag in lags)} over 1 s)"))
    return out


async def record_sizes(bootstrap: str) -> dict[str, str]:
    sizes: dict[str, list[float]] = {"scores": [], "ledger": []}
    for topic, name in ((topics.SCORES, "scores"), (topics.LEDGER, "ledger")):
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"sizes-{uuid.uuid4().hex}",
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            batch = await consumer.getmany(timeout_ms=5000, max_records=2000)
            for records in batch.values():
                for r in records:
                    n = len(orjson.loads(r.value)["rows"]) if name == "ledger" else 1
                    sizes[name].append(len(r.value) / n)
        finally:
            await consumer.stop()
    scores = sizes["scores"] or [0.0]
    return {"scores": f"{statistics.mean(scores):.0f} / {max(scores):.0f}",
            "ledger": f"{statistics.mean(sizes['ledger'] or [0.0]):.0f}"}


def main() -> None:
    stack = Stack.for_profile("bench")
    stack.scorer_workers = 1
    stack.destroy_infra()
    stack.start_infra()
    try:
        for name in ("ingest", "api"):
            stack.start_service(name)
            stack.wait_ready(name)
        results = asyncio.run(run(stack))
    finally:
        stack.stop_services()
        stack.stop_infra()
    print("\npipeline bench (one run; 2 cores shared by Kafka, Postgres, the services and the load generator):")
    for name, value in results:
        print(f"  {name:78s} {value}")


if __name__ == "__main__":
    main()
