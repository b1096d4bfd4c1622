"""Erasure of a rep (GDPR art. 17) on the real stack: the rows leave Postgres, the scorer's state gets a
changelog tombstone, later events are answered 202 and dead-lettered `erased` without their payload, and
neither a scorer replaying the activity topic from scratch (a new model version's group) nor a sink
re-consuming the score and ledger topics brings the rep back; `ssi rep unerase` lets the id start afresh."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from services.api.deadletters import list_dead_letters
from shared.db.engine import make_engine
from shared.db.erasure import REP_TABLES
from shared.db.schema import erased_reps, unclaimed_identities
from tests.e2e.helpers import MODEL, wait_for_score
from tests.factories import bearer, cloud_event

DEADLINE = 180


async def metric(port: int, name: str, labels: str = "") -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    pattern = rf"^{re.escape(name)}{re.escape('{' + labels + '}') if labels else ''} ([0-9.e+]+)$"
    return sum(float(m) for m in re.findall(pattern, text, re.M))


async def sink_lag(port: int) -> float | None:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    values = re.findall(r"^ssi_sink_consumer_lag_records\{[^}]*\} ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in values) if values else None


async def wait_until(check, what: str, timeout: float = DEADLINE) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"{what} after {timeout}s"
        await asyncio.sleep(0.5)


async def rows_of(database_url: str, tenant_id: str, rep_id: str) -> dict[str, int]:
    engine = make_engine(database_url, application_name="test-erasure", pool_size=1)
    try:
        async with engine.connect() as conn:
            counts = {}
            for table in REP_TABLES:
                counts[table.name] = (await conn.execute(select(func.count()).select_from(table).where(
                    table.c.tenant_id == tenant_id, table.c.rep_id == rep_id))).scalar_one()
            counts["unclaimed_identities"] = (await conn.execute(select(func.count()).select_from(
                unclaimed_identities).where(unclaimed_identities.c.tenant_id == tenant_id,
                                            unclaimed_identities.c.identity == f"{rep_id}-x"))).scalar_one()
            registry = (await conn.execute(select(erased_reps.c.erased).where(
                erased_reps.c.tenant_id == tenant_id, erased_reps.c.rep_id == rep_id))).scalar_one_or_none()
            counts["registry_erased"] = -1 if registry is None else int(registry)
            return counts
    finally:
        await engine.dispose()


async def state_tombstoned(bootstrap: str, rep_key: bytes) -> bool:
    """The last record of the rep's key in the rep_state changelog is a tombstone (None value)."""
    topic = f"ssi-scorer-{MODEL.version}-s3-rep_state-changelog"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        assert topic in await consumer.topics()
        consumer.subscribe([topic])  # makes the client fetch the topic's metadata
        await consumer._client.force_metadata_update()
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.unsubscribe()
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        await consumer.seek_to_beginning(*parts)
        last: list[bytes | None] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                last += [r.value for r in records if r.key == rep_key]
        return bool(last) and last[-1] is None
    finally:
        await consumer.stop()


async def test_an_erased_rep_leaves_everything_and_no_replay_brings_it_back(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key, tid = tenant["api_key"], tenant["tenant_id"]
    gone, kept = "gone-rep", "kept-rep"

    async def send(*events: dict) -> None:
        assert (await ingest.post("/v1/events", json=list(events), headers=bearer(key))).status_code == 202

    put = await api.put(f"/v1/reps/{gone}", json={"name": "Gone", "team": "t", "industry": "erasure",
                                                  "identities": {"x": f"{gone}-x"}}, headers=bearer(key))
    assert put.status_code == 201
    await send(*(cloud_event(gone, t) for t in ("post.published", "comment.posted", "meeting.booked")),
               cloud_event(kept, "post.published"))
    await wait_for_score(api, key, gone, 3)
    await wait_for_score(api, key, kept, 1)
    assert (await rows_of(stack.database_url, tid, gone))["scored_events"] == 3

    assert (await api.delete(f"/v1/reps/{gone}")).status_code == 401
    erased = await api.delete(f"/v1/reps/{gone}", headers=bearer(key))
    assert erased.status_code == 204 and erased.content == b""
    assert (await api.delete(f"/v1/reps/{gone}", headers=bearer(key))).status_code == 204  # idempotent

    for path in (f"/v1/reps/{gone}", f"/v1/reps/{gone}/score", f"/v1/reps/{gone}/history"):
        assert (await api.get(path, headers=bearer(key))).status_code == 404, path
    board = (await api.get("/v1/reps", params={"sort": "rep_id"}, headers=bearer(key))).json()["items"]
    assert [item["rep_id"] for item in board] == [kept]
    empty = {t.name: 0 for t in REP_TABLES} | {"unclaimed_identities": 0, "registry_erased": 1}
    assert await rows_of(stack.database_url, tid, gone) == empty
    recreated = await api.put(f"/v1/reps/{gone}", json={"name": "Again"}, headers=bearer(key))
    assert recreated.status_code == 410 and "ssi rep unerase" in recreated.json()["detail"]

    # a later event: accepted (the sender must not retry), dead-lettered `erased` without its payload
    await send(cloud_event(gone, "post.published"), cloud_event(kept, "comment.posted"))

    async def dead_lettered() -> bool:
        letters = await list_dead_letters(stack.kafka_bootstrap, tid, "erased", 100)
        return any(letter["reason"] == "erased" and letter["key"] == f"{tid}|{gone}" for letter in letters)

    await wait_until(dead_lettered, "the erased rep's event was never dead-lettered")
    await wait_for_score(api, key, kept, 2)
    assert (await api.get(f"/v1/reps/{gone}/score", headers=bearer(key))).status_code == 404
    assert await rows_of(stack.database_url, tid, gone) == empty
    assert await state_tombstoned(stack.kafka_bootstrap, f"{tid}|{gone}".encode())

    # replay 1: a scorer group and tables from scratch (what a new model version does) reads the whole topic
    replay_id = f"ssi-scorer-replay-{os.urandom(4).hex()}"
    stack.stop_service("scorer")
    stack.start_service("scorer", {"SSI_SCORER_APP_ID": replay_id})
    try:
        stack.wait_ready("scorer", DEADLINE)

        async def replayed() -> bool:  # the 3 events before the erasure skipped, the later one dead-lettered
            skipped = await metric(stack.scorer_port, "ssi_scorer_events_total", 'outcome="erased_skipped"')
            dead = await metric(stack.scorer_port, "ssi_scorer_events_total", 'outcome="erased"')
            return skipped >= 3 and dead >= 1

        await wait_until(replayed, "the replaying scorer never met the erased rep's events")
        await wait_until(lambda: _caught_up(stack), "the sink never caught up with the replay")
        assert await rows_of(stack.database_url, tid, gone) == empty
    finally:
        stack.stop_service("scorer")
        stack.start_service("scorer")
        stack.wait_ready("scorer", DEADLINE)

    # replay 2: a sink group from scratch re-reads the score and ledger topics, which still hold the rep's
    # snapshots from before the erasure: the registry keeps them out
    stack.stop_service("sink")
    stack.start_service("sink", {"SSI_SINK_GROUP": f"ssi-sink-replay-{os.urandom(4).hex()}"})
    try:
        stack.wait_ready("sink", DEADLINE)

        async def suppressed() -> bool:
            return await metric(stack.sink_port, "ssi_sink_records_total", 'outcome="erased"') >= 2

        await wait_until(suppressed, "the replaying sink never met the erased rep's snapshots")
        await wait_until(lambda: _caught_up(stack), "the replaying sink never caught up")
        assert await rows_of(stack.database_url, tid, gone) == empty
    finally:
        stack.stop_service("sink")
        stack.start_service("sink")
        stack.wait_ready("sink", DEADLINE)

    # only `ssi rep unerase` frees the id, and then it starts from nothing
    out = json.loads(stack.cli("rep", "unerase", tid, gone))
    assert out == {"unerased": gone, "identities_released": 1}
    await send(cloud_event(gone, "post.published"))
    fresh = await wait_for_score(api, key, gone, 1)
    await asyncio.sleep(2)
    again = (await api.get(f"/v1/reps/{gone}/score", headers=bearer(key))).json()
    assert fresh["events"] == 1 and again["events"] == 1


async def _caught_up(stack) -> bool:  # type: ignore[no-untyped-def]
    lag = await sink_lag(stack.sink_port)
    return lag == 0


async def test_the_cli_erases_and_unerases(stack, api, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    key, tid = tenant["api_key"], tenant["tenant_id"]
    assert (await api.put("/v1/reps/cli-rep", json={"name": "C"}, headers=bearer(key))).status_code == 201
    out = json.loads(stack.cli("rep", "erase", tid, "cli-rep"))
    assert out["erased"] == "cli-rep" and out["deleted"]["reps"] == 1
    assert (await api.get("/v1/reps/cli-rep", headers=bearer(key))).status_code == 404
    listed = [json.loads(line) for line in stack.cli("rep", "erased", tid).splitlines()]
    assert [(r["rep_id"], r["erased"]) for r in listed] == [("cli-rep", True)]
    assert json.loads(stack.cli("rep", "unerase", tid, "cli-rep")) == {"unerased": "cli-rep", "identities_released": 0}
    try:
        stack.cli("rep", "unerase", tid, "cli-rep")
        raise AssertionError("a second unerase must fail")
    except RuntimeError as exc:
        assert "is not erased" in str(exc)
    # another tenant's id is refused as a tenant without that rep: nothing of the first tenant changes
    other = json.loads(stack.cli("tenant", "create", f"other-{os.urandom(4).hex()}", "--json"))
    assert (await api.put("/v1/reps/cli-rep", json={"name": "C2"}, headers=bearer(key))).status_code == 201
    json.loads(stack.cli("rep", "erase", other["tenant_id"], "cli-rep"))
    assert (await api.get("/v1/reps/cli-rep", headers=bearer(key))).json()["name"] == "C2"
