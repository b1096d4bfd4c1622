"""CRM outcomes and brand mentions go through the pipeline and are stored once each, never scored; bad outcome
data that slips past ingest (a webhook mapping, a replay) goes to the dead-letter topic with its reason."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from shared import topics
from shared.db.engine import make_engine
from shared.events import ActivityEnvelope, CloudEvent
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event

WAIT = 60
WEBHOOK_WAIT = 180
"""A webhook's outcome goes through the raw topic, the normaliser and the identity claim first: on a loaded
machine that takes longer than a direct event."""


async def _rows(engine, tenant_id: str) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        outcomes = (await conn.execute(text(
            "SELECT rep_id, type, amount, currency, period_start::text, period_end::text FROM crm_outcomes "
            "WHERE tenant_id = :t ORDER BY type"), {"t": tenant_id})).all()
        mentions = (await conn.execute(text(
            "SELECT rep_id, brand, reach, sentiment FROM brand_mentions WHERE tenant_id = :t ORDER BY brand"),
            {"t": tenant_id})).all()
    return [tuple(r) for r in outcomes], [tuple(r) for r in mentions]


async def test_outcomes_and_mentions_are_stored_once_and_not_scored(stack, ingest, api, tenant) -> None:  # type: ignore[no-untyped-def]
    key, tenant_id = tenant["api_key"], tenant["tenant_id"]
    at = datetime.now(UTC) - timedelta(hours=1)
    events = [
        cloud_event("rep-o", "deal.won", source="salesforce", time=at, amount=1200.5, currency="EUR"),
        cloud_event("rep-o", "deal.lost", source="salesforce", time=at, amount=300),
        cloud_event("rep-o", "opportunity.created", source="hubspot", time=at),
        cloud_event("rep-o", "quota.set", source="salesforce", time=at, amount=10_000, period="2026-10-01/2026-12-31"),
        cloud_event("listener", "mention.received", source="x", time=at, brand="Acme", reach=5000, sentiment="positive"),
        cloud_event("rep-o", "comment.posted", time=at),  # one scored activity, to know when the batch is through
    ]
    for _ in range(2):  # a sender's retry: the same ids again count once
        assert (await ingest.post("/v1/events", json=events, headers=bearer(key))).status_code == 202
    refused = await ingest.post("/v1/events", json=[cloud_event("rep-o", "quota.set", amount=5)], headers=bearer(key))
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/0/data/period"

    score = await wait_for_score(api, key, "rep-o", 1)
    assert score["events"] == 1  # outcomes are not activity
    engine = make_engine(stack.database_url, application_name="test-outcomes", pool_size=1)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            outcomes, mentions = await _rows(engine, tenant_id)
            if len(outcomes) >= 4 and mentions or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.3)
        await asyncio.sleep(2)  # the duplicates had their chance to land
        outcomes, mentions = await _rows(engine, tenant_id)
    finally:
        await engine.dispose()
    assert outcomes == [
        ("rep-o", "deal.lost", 300.0, None, None, None),
        ("rep-o", "deal.won", 1200.5, "EUR", None, None),
        ("rep-o", "opportunity.created", None, None, None, None),
        ("rep-o", "quota.set", 10_000.0, None, "2026-10-01", "2026-12-31"),
    ]
    assert mentions == [("listener", "Acme", 5000.0, 1.0)]


async def test_bad_outcome_data_past_ingest_is_a_dead_letter_with_its_reason(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    """What ingest refuses can still arrive another way (a provider mapping, a replayed record)."""
    tenant_id = tenant["tenant_id"]
    envelope = ActivityEnvelope(tenant_id=tenant_id, received_at=datetime.now(UTC), event=CloudEvent.model_validate(
        cloud_event("rep-bad", "deal.won", source="salesforce", currency="EUR")))
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topics.ACTIVITY, key=topics.rep_key(tenant_id, "rep-bad").encode(),
                                     value=envelope.to_bytes())
    finally:
        await producer.stop()
    deadline = time.monotonic() + WAIT
    while True:
        listed = [json.loads(line) for line in
                  stack.cli("deadletter", "list", "--tenant", tenant_id).splitlines()]
        if listed or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert [d["reason"] for d in listed] == ["deal.won /data/amount: is required"]


OPPORTUNITY = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{org}</OrganizationId>
   <ActionId>04ko0000000xxxxxxx</ActionId>
   {notifications}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""
NOTIFICATION = """<Notification>
    <Id>{notification}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{record}</sf:Id>
     <sf:OwnerId>{owner}</sf:OwnerId>
     <sf:StageName>Closed Won</sf:StageName>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:IsWon>true</sf:IsWon>
     {amount}
     <sf:LastModifiedDate>{modified}</sf:LastModifiedDate>
    </sObject>
   </Notification>"""


async def test_a_salesforce_deal_won_is_stored_for_its_rep_and_one_without_amount_is_a_dead_letter(  # type: ignore[no-untyped-def]
        stack, ingest, api, tenant) -> None:
    from tests.e2e.test_webhooks import add_endpoint, claim

    org, owner = "00Do0000000abcdEAA", f"005o{uuid.uuid4().hex[:14]}"
    url = add_endpoint(stack, tenant, "salesforce", org)
    await claim(api, tenant, "sf-closer", salesforce=owner)
    modified = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    notes = "".join(NOTIFICATION.format(notification=f"04l{uuid.uuid4().hex[:15]}", record=record, owner=owner,
                                        amount=amount, modified=modified)
                    for record, amount in (("006o0000000aaaaaaa", "<sf:Amount>25000.0</sf:Amount>"),
                                           ("006o0000000bbbbbbb", "")))
    answer = await ingest.post(url, content=OPPORTUNITY.format(org=org, notifications=notes).encode(),
                               headers={"content-type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    assert answer.status_code == 200 and b"<Ack>true</Ack>" in answer.content, answer.text
    engine = make_engine(stack.database_url, application_name="test-outcomes-sf", pool_size=1)
    try:
        deadline = time.monotonic() + WEBHOOK_WAIT
        while True:
            outcomes, _ = await _rows(engine, tenant["tenant_id"])
            listed = [json.loads(line) for line in
                      stack.cli("deadletter", "list", "--tenant", tenant["tenant_id"]).splitlines()]
            if (outcomes and listed) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()
    assert outcomes == [("sf-closer", "deal.won", 25000.0, None, None, None)], (outcomes, listed)
    assert [d["reason"] for d in listed] == ["deal.won /data/amount: is required"], listed


async def test_erasing_a_rep_deletes_its_outcomes_and_mentions_and_no_replay_brings_them_back(  # type: ignore[no-untyped-def]
        stack, ingest, api, tenant) -> None:
    from shared.outcomes import encode

    key, tenant_id = tenant["api_key"], tenant["tenant_id"]
    at = datetime.now(UTC) - timedelta(hours=1)
    sent = [
        cloud_event("gone", "deal.won", source="salesforce", time=at, amount=10),
        cloud_event("gone", "quota.set", source="salesforce", time=at, amount=50, period="2026-10-01/2026-12-31"),
        cloud_event("gone", "mention.received", source="x", time=at, brand="Acme", reach=5),
        cloud_event("kept", "deal.won", source="salesforce", time=at, amount=20),
    ]
    assert (await ingest.post("/v1/events", json=sent, headers=bearer(key))).status_code == 202
    engine = make_engine(stack.database_url, application_name="test-outcomes-erasure", pool_size=1)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            outcomes, mentions = await _rows(engine, tenant_id)
            if (len(outcomes) == 3 and mentions) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.3)
        assert len(outcomes) == 3 and len(mentions) == 1
        assert (await api.delete("/v1/reps/gone", headers=bearer(key))).status_code == 204
        outcomes, mentions = await _rows(engine, tenant_id)
        assert [(r[0], r[1]) for r in outcomes] == [("kept", "deal.won")] and mentions == []

        # a replay of the outcomes topic (records produced before the erasure) is not written again; a record of
        # another rep in the same stream is, so the sink has been through them
        before = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        replayed = encode(tenant_id, "gone", "salesforce", "replayed-1", "deal.won", at.isoformat(),
                          {"amount": 99.0, "currency": None}, before)
        marker = encode(tenant_id, "kept", "salesforce", "marker-1", "deal.lost", at.isoformat(),
                        {"amount": 1.0, "currency": None}, datetime.now(UTC).isoformat())
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for rep, value in (("gone", replayed), ("kept", marker)):
                await producer.send_and_wait(topics.OUTCOMES, key=topics.rep_key(tenant_id, rep).encode(), value=value)
        finally:
            await producer.stop()
        deadline = time.monotonic() + WAIT
        while True:
            outcomes, _ = await _rows(engine, tenant_id)
            if len(outcomes) >= 2 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.3)
        await asyncio.sleep(1)
        outcomes, _ = await _rows(engine, tenant_id)
    finally:
        await engine.dispose()
    assert sorted((r[0], r[1]) for r in outcomes) == [("kept", "deal.lost"), ("kept", "deal.won")]


async def test_a_mention_postgres_refuses_is_a_dead_letter_and_the_sink_writes_the_rest(  # type: ignore[no-untyped-def]
        stack, ingest, api, tenant) -> None:
    """A brand with a NUL character passes ingest and the scorer (JSON and Kafka carry it), but Postgres refuses
    it in a text column. Before the sink isolated such records it retried the batch for ever, and nothing after
    it was written. Now the record is dead-lettered with Postgres' reason, and the rest of the batch lands."""
    key, tenant_id = tenant["api_key"], tenant["tenant_id"]
    at = datetime.now(UTC) - timedelta(hours=1)
    events = [
        cloud_event("listener-nul", "mention.received", source="x", time=at, brand="Ac\u0000me", reach=10),
        cloud_event("listener-ok", "mention.received", source="x", time=at, brand="Acme", reach=20),
        cloud_event("rep-after-nul", "comment.posted", time=at),
    ]
    assert (await ingest.post("/v1/events", json=events, headers=bearer(key))).status_code == 202
    await wait_for_score(api, key, "rep-after-nul", 1)
    engine = make_engine(stack.database_url, application_name="test-refused", pool_size=1)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            listed = [json.loads(line) for line in stack.cli("deadletter", "list", "--tenant", tenant_id).splitlines()]
            _, mentions = await _rows(engine, tenant_id)
            if listed and mentions or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()
    assert mentions == [("listener-ok", "Acme", 20.0, None)]
    assert len(listed) == 1, listed
    assert listed[0]["stage"] == "sink" and listed[0]["origin"].startswith(f"{topics.OUTCOMES}[")
    assert listed[0]["reason"].startswith("postgres refused the record: CharacterNotInRepertoireError"), listed[0]
