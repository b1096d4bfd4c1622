#!/usr/bin/env python3
"""make bench: pipeline figures from one run on this machine (not a test; prints numbers, asserts nothing).

Starts its own stack from empty data (profile `bench`, own ports) and measures:
1. ingest: events/s accepted for batches of 100 events, and requests/s for single events (p50/p99);
2. scorer: events/s per worker for the same backlog, with the skeleton model and with the real model, each
   a fresh consumer group (the scorer's group and tables are per model version) started after the backlog
   was produced, timed from readiness until its counter covers the backlog; the sink is stopped meanwhile;
3. sink: score records/s written to Postgres while catching up on both models' snapshots;
4. freshness: p50/p99 seconds from ingest's 202 to the new score being visible in the api, one at a time;
5. webhooks: HubSpot deliveries of 20 events and single X events, signed as the senders sign, beside single
   /v1/events requests, with the scorer and sink stopped (ingest alone, as in 1);
6. state size per rep for both models (JSON bytes of the Faust table value), and the scorer's RSS.
Everything shares the machine's 2 cores with Kafka, Postgres and the load generator itself.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from stack import Stack  # noqa: E402

from shared.scoring import RepState, apply_event, load_default_model, load_packaged_model  # noqa: E402

TYPES = ["post.published", "comment.posted", "connection.accepted", "message.replied", "profile.viewed", "reaction.given"]
SKELETON = ROOT / "shared" / "scoring" / "models" / "skeleton-v1.toml"
REPS = 500


def event(rep: str, i: int) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "linkedin",
        "type": TYPES[i % len(TYPES)],
        "subject": rep,
        "time": (datetime.now(UTC) - timedelta(minutes=(i * 7) % (60 * 24 * 30))).isoformat(),
        "data": {"counterpart": {"is_decision_maker": i % 3 == 0}},
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def counter(client: httpx.AsyncClient, port: int, name: str) -> float:
    text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sum(float(m) for m in re.findall(rf'^{name}\{{outcome="[a-z_]+"\}} ([0-9.e+]+)$', text, re.M))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def ingest_batches(client: httpx.AsyncClient, key: str, total: int, batch: int, concurrency: int, sent: list) -> tuple[float, list[float]]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents-batch+json"}
    latencies: list[float] = []
    queue = list(range(0, total, batch))

    async def worker() -> None:
        while queue:
            start_index = queue.pop()
            body = [event(f"bench-rep-{(start_index + j) % REPS}", start_index + j) for j in range(batch)]
            t = time.perf_counter()
            r = await client.post("/v1/events", json=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 202, r.text
            sent.extend(body)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def ingest_singles(client: httpx.AsyncClient, key: str, total: int, concurrency: int, sent: list) -> tuple[float, list[float]]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents+json"}
    latencies: list[float] = []
    remaining = [total]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            body = event(f"bench-rep-{remaining[0] % REPS}", remaining[0])
            t = time.perf_counter()
            r = await client.post("/v1/events", json=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 202, r.text
            sent.append(body)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


def hubspot_request(url: str, secret: str, batch: int, seq: int) -> tuple[bytes, dict[str, str]]:
    """A typical HubSpot delivery: ``batch`` contact creations, signed with v3."""
    stamp = str(int(time.time() * 1000))
    body = orjson.dumps([
        {"eventId": seq * 1000 + i, "subscriptionId": 1, "portalId": 424242, "appId": 7, "occurredAt": int(stamp) - 1000,
         "subscriptionType": "contact.creation", "attemptNumber": 0, "objectId": seq * 1000 + i, "changeSource": "CRM",
         "changeFlag": "NEW"} for i in range(batch)
    ])
    signature = base64.b64encode(hmac.new(secret.encode(), b"POST" + url.encode() + body + stamp.encode(),
                                          hashlib.sha256).digest()).decode()
    return body, {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": stamp,
                  "content-type": "application/json"}


def x_request(secret: str, seq: int) -> tuple[bytes, dict[str, str]]:
    """One X favorite event, signed as X signs."""
    body = orjson.dumps({"for_user_id": "2244994945", "favorite_events": [{
        "id": uuid.uuid4().hex, "timestamp_ms": int(time.time() * 1000),
        "favorited_status": {"id_str": str(seq), "user": {"id_str": "2244994945"}}, "user": {"id_str": "777"}}]})
    signature = "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"x-twitter-webhooks-signature": signature, "content-type": "application/json"}


async def webhooks(client: httpx.AsyncClient, url: str, make, total: int, concurrency: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    remaining = [total]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            body, headers = make(remaining[0])
            t = time.perf_counter()
            r = await client.post(url, content=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def catch_up(stack: Stack, plain: httpx.AsyncClient, records: int, model_file: Path | None) -> tuple[float, float]:
    """Start a scorer (fresh group) on the backlog; events/s from readiness to the last record, and its RSS."""
    stack.start_service("scorer", {"SSI_MODEL_FILE": str(model_file)} if model_file else None)
    stack.wait_ready("scorer", 300)
    start_count, started = await counter(plain, stack.scorer_port, "ssi_scorer_events_total"), time.perf_counter()
    while (done := await counter(plain, stack.scorer_port, "ssi_scorer_events_total")) < records:
        if time.perf_counter() - started > 900:
            raise SystemExit(f"scorer did not catch up within 900 s ({done} of {records})")
        await asyncio.sleep(0.2)
    rate = (done - start_count) / (time.perf_counter() - started)
    return rate, rss_mib(stack.processes["scorer"].pid)


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


def state_sizes(events: list[dict]) -> dict[str, float]:
    """JSON bytes of each rep's table value after all bench events, for both models (pure, no Kafka)."""
    out = {}
    for name, model in (("skeleton", load_packaged_model("skeleton-v1.toml")), ("real", load_default_model())):
        states: dict[str, RepState] = {}
        for seq, e in enumerate(events):
            states[e["subject"]] = apply_event(
                model, states.get(e["subject"], RepState()), event_type=e["type"], source=e["source"],
                event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq, data=e["data"],
            )
        sizes = [len(orjson.dumps(s.to_json())) for s in states.values()]
        out[f"state_bytes_per_rep_{name}_avg"] = round(statistics.mean(sizes))
        out[f"state_bytes_per_rep_{name}_max"] = max(sizes)
    return out


async def run(stack: Stack) -> dict:
    key = json.loads(stack.cli("tenant", "create", f"bench-{uuid.uuid4().hex[:8]}", "--json"))["api_key"]
    limits = httpx.Limits(max_connections=64)
    results: dict = {}
    sent: list[dict] = []
    async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=60, limits=limits) as ingest, \
            httpx.AsyncClient(base_url=stack.api_url, timeout=60) as api, httpx.AsyncClient(timeout=10) as plain:
        await ingest_batches(ingest, key, 2_000, 100, 4, sent)  # warm-up
        print("warmed up; producing the backlog with no scorer running", flush=True)
        rate, lat = await ingest_batches(ingest, key, 40_000, 100, 8, sent)
        results["ingest_batch100_events_per_s"] = round(rate)
        results["ingest_batch100_request_p50_s"] = round(pct(lat, 0.5), 4)
        results["ingest_batch100_request_p99_s"] = round(pct(lat, 0.99), 4)
        srate, slat = await ingest_singles(ingest, key, 3_000, 16, sent)
        results["ingest_single_requests_per_s"] = round(srate)
        results["ingest_single_request_p50_s"] = round(pct(slat, 0.5), 4)
        results["ingest_single_request_p99_s"] = round(pct(slat, 0.99), 4)
        records = len(sent)
        results["backlog_records"] = records

        stack.stop_service("sink")
        print(f"backlog of {records}; scorer with the skeleton model", flush=True)
        rate, rss = await catch_up(stack, plain, records, SKELETON)
        results["scorer_events_per_s_skeleton_model"], results["scorer_rss_mib_skeleton_model"] = round(rate), rss
        stack.stop_service("scorer")
        print("scorer with the real model", flush=True)
        rate, rss = await catch_up(stack, plain, records, None)
        results["scorer_events_per_s_real_model"], results["scorer_rss_mib_real_model"] = round(rate), rss

        print("sink catching up on both models' snapshots", flush=True)
        stack.start_service("sink")
        stack.wait_ready("sink", 60)
        started = time.perf_counter()
        while (written := await counter(plain, stack.sink_port, "ssi_sink_records_total")) < 2 * records:
            if time.perf_counter() - started > 900:
                raise SystemExit(f"sink did not catch up ({written} of {2 * records})")
            await asyncio.sleep(0.2)
        results["sink_records_per_s"] = round(written / (time.perf_counter() - started))

        print("measuring freshness", flush=True)
        await asyncio.sleep(2)
        fresh = await freshness(ingest, api, key, 100)
        results["ack_to_api_p50_s"] = round(statistics.median(fresh), 3)
        results["ack_to_api_p99_s"] = round(pct(fresh, 0.99), 3)
        results["ack_to_api_samples"] = len(fresh)

        print("webhooks beside /v1/events, ingest alone (scorer and sink stopped, as for the first figures)", flush=True)
        stack.stop_service("scorer")
        stack.stop_service("sink")
        srate, slat = await ingest_singles(ingest, key, 3_000, 16, [])
        results["side_by_side_events_single_requests_per_s"] = round(srate)
        results["side_by_side_events_single_request_p99_s"] = round(pct(slat, 0.99), 4)
        tenant = json.loads(stack.cli("tenant", "create", f"bench-hooks-{uuid.uuid4().hex[:8]}", "--json"))
        hub = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "hubspot", "--secret", "hs", "--json"))["url"]
        xurl = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "x", "--secret", "xs", "--json"))["url"]
        rate, lat = await webhooks(ingest, hub, lambda i: hubspot_request(hub, "hs", 20, i), 1_000, 16)
        results["side_by_side_hubspot_batch20_requests_per_s"] = round(rate)
        results["side_by_side_hubspot_batch20_request_p99_s"] = round(pct(lat, 0.99), 4)
        rate, lat = await webhooks(ingest, xurl, lambda i: x_request("xs", i), 3_000, 16)
        results["side_by_side_x_single_requests_per_s"] = round(rate)
        results["side_by_side_x_single_request_p99_s"] = round(pct(lat, 0.99), 4)
    results.update(state_sizes(sent))
    return results


def main() -> None:
    stack = Stack.for_profile("bench")
    stack.destroy_infra()
    stack.start_infra()
    try:
        for name in ("ingest", "api", "sink"):
            stack.start_service(name)
            stack.wait_ready(name)
        results = asyncio.run(run(stack))
    finally:
        stack.stop_services()
        stack.stop_infra()
    print("\nbench results (one run, 2 cores shared by Kafka, Postgres, services and the load generator):")
    for name, value in results.items():
        print(f"  {name:38s} {value}")


if __name__ == "__main__":
    main()
