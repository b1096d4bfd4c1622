"""Reading the product's own outputs for the checker, and waiting for the pipeline to drain.

The ledger (``scored_events``, read from Postgres as the api reads it), each rep's current score and a ``?at=``
read from the api, the dead-letter topic and the parked identities (``GET /v1/identities/unclaimed``)."""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from shared import topics
from shared.db.engine import make_engine
from shared.scoring import ScoringModel
from tests.faults.history import ACTIVITY, LedgerRow, Observed, Report, ScoreRead, check, kind
from tests.faults.workload import Workload


class Unavailable(Exception):
    """The api or the database did not answer: the poll is tried again."""


async def read_ledger(database_url: str, tenant_id: str, model_version: str) -> dict[tuple[str, str], LedgerRow]:
    engine = make_engine(database_url, application_name="ssi-fault-checker", pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT source, event_id, rep_id, type FROM scored_events "
                     "WHERE tenant_id = :tenant AND model_version = :version"),
                {"tenant": tenant_id, "version": model_version})
            return {(r.source, r.event_id): LedgerRow(r.rep_id, r.type) for r in rows}
    except Exception as exc:  # noqa: BLE001 - Postgres away during a fault: poll again
        raise Unavailable(f"ledger: {type(exc).__name__}") from exc
    finally:
        await engine.dispose()


async def read_score(api: httpx.AsyncClient, key: str, rep: str, at: datetime | None = None) -> ScoreRead | None:
    params = {"at": at.isoformat()} if at else None
    try:
        response = await api.get(f"/v1/reps/{rep}/score", params=params, headers={"Authorization": f"Bearer {key}"})
    except httpx.HTTPError as exc:
        raise Unavailable(f"api: {type(exc).__name__}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise Unavailable(f"api answered {response.status_code}: {response.text[:200]}")
    body = response.json()
    return ScoreRead(body["events"], body["pillars"], datetime.fromisoformat(body["as_of"]))


async def read_dead_letters(bootstrap: str, tenant_id: str) -> set[tuple[str, str]]:
    """(source, id) of every event of the tenant on the dead-letter topic."""
    consumer = AIOKafkaConsumer(topics.DEAD_LETTER, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    found: set[tuple[str, str]] = set()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=1500, max_records=5000)
            if not batch:
                return found
            for records in batch.values():
                for record in records:
                    letter = orjson.loads(record.value)
                    if not (letter.get("key") or "").startswith(tenant_id + topics.KEY_SEPARATOR):
                        continue
                    try:
                        event = orjson.loads(base64.b64decode(letter["value_b64"]))["event"]
                        found.add((event["source"], event["id"]))
                    except (KeyError, TypeError, ValueError):
                        continue
    finally:
        await consumer.stop()


async def read_parked(api: httpx.AsyncClient, key: str) -> dict[str, int]:
    response = await api.get("/v1/identities/unclaimed", headers={"Authorization": f"Bearer {key}"})
    if response.status_code != 200:
        raise Unavailable(f"unclaimed identities: {response.status_code}")
    return {i["identity"]: i["parked_events"] for i in response.json()["identities"]}


def at_instant(workload: Workload, rep: str) -> datetime:
    """An instant between the rep's events (the median event time, plus half a second)."""
    times = sorted(e.time for e in workload.sent.values() if e.rep == rep)
    middle = times[len(times) // 2] if times else datetime.now(UTC) - timedelta(days=1)
    return middle + timedelta(milliseconds=500)


async def observe(workload: Workload, *, api_url: str, database_url: str, bootstrap: str, tenant_id: str,
                  final: bool) -> Observed:
    key = workload.endpoints.api_key
    model = workload.model
    reps = sorted({e.rep for e in workload.sent.values() if e.rep and kind(model, e) == ACTIVITY})
    observed = Observed(ledger=await read_ledger(database_url, tenant_id, model.version), scores={})
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        for rep in reps:
            read = await read_score(api, key, rep)
            if read is not None:
                observed.scores[rep] = read
        if final:
            for rep in reps:
                at_read = await read_score(api, key, rep, at_instant(workload, rep))
                if at_read is not None:
                    observed.at_reads[rep] = at_read
            if workload.endpoints.hubspot_portals:
                observed.parked = await read_parked(api, key)
    if final:
        observed.dead_letters = await read_dead_letters(bootstrap, tenant_id)
    return observed


async def drain_and_check(workload: Workload, *, title: str, api_url: str, database_url: str, bootstrap: str,
                          tenant_id: str, load_end: float, timeout: float = 240.0,
                          history_file: Path | None = None) -> Report:
    """Poll the outputs until every acknowledged event arrived (or ``timeout``), then check everything once
    more, with the scores, the ``?at=`` reads and what is not scored by design; prints the summary."""
    args = {"api_url": api_url, "database_url": database_url, "bootstrap": bootstrap, "tenant_id": tenant_id}
    model: ScoringModel = workload.model
    deadline = time.monotonic() + timeout
    drained: float | None = None
    last_error = None
    while time.monotonic() < deadline:
        try:
            observed = await observe(workload, final=False, **args)
        except Unavailable as exc:
            last_error = exc
            await asyncio.sleep(1.0)
            continue
        report = check(model, workload.sent, workload.attempts, observed, final=False)
        if report.complete:
            drained = time.monotonic()
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(2.0)  # a late second application, if any, has time to show
    for _ in range(30):
        try:
            observed = await observe(workload, final=True, **args)
            break
        except Unavailable as exc:
            last_error = exc
            await asyncio.sleep(1.0)
    else:
        raise AssertionError(f"the outputs could not be read: {last_error}")
    report = check(model, workload.sent, workload.attempts, observed, final=True)
    report.drain_seconds = None if drained is None else drained - load_end
    print("\n" + report.summary(title), flush=True)
    if not report.ok and history_file is not None:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history_file.write_bytes(orjson.dumps({
            "title": title, "tenant_id": tenant_id, "summary": report.summary(title),
            "missing": report.missing_keys,
            "sent": [{"key": e.key, "rep": e.rep, "type": e.type, "time": e.time.isoformat()}
                     for e in workload.sent.values()],
            "attempts": [a.__dict__ for a in workload.attempts],
        }))
        print(f"  history written to {history_file}", flush=True)
    return report
