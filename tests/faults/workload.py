"""Clients that send the way real senders do, and record everything they were told.

Several concurrent clients: some POST batches of CloudEvents to ``/v1/events``, one delivers Standard Webhooks
(one CloudEvent per delivery, signed as svix signs), one delivers HubSpot webhooks (arrays of events, signature
v3), and optionally one sends through an ingest with a small quota, so that some of its requests are refused
with 429. Each client retries a request on 5xx, 429, timeouts and broken connections, with exponential backoff
(at least the Retry-After it was given), the same events each time (a webhook is signed again with a fresh
timestamp, as its sender does), until it is acknowledged. Every attempt is recorded (tests.faults.history).
The test itself never sends anything again: only the clients' own retries do.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from svix.webhooks import Webhook

from services.ingest.webhooks.hubspot import event_id as hubspot_event_id
from shared.scoring import ScoringModel
from tests.faults.history import Attempt, Key, Sent

CLIENT_TIMEOUT = 15.0
"""Above the ingest's 10 s produce timeout, so a slow Kafka answers 503 before the client gives up."""
MAX_BACKOFF = 4.0
UNKNOWN_TYPE = "test.unknown_kind"
"""A well-formed type no model scores: the scorer dead-letters it."""
HUBSPOT_KINDS = {"contact.creation": "lead.saved", "meeting.creation": "meeting.booked",
                 "call.creation": "call.completed", "deal.creation": "opportunity.created"}
SOURCES = ("linkedin", "x", "facebook", "instagram", "youtube", "salesforce", "pipedrive")


@dataclass
class Endpoints:
    """Where the clients send, and the tenant's credentials."""

    ingest_url: str
    api_key: str
    standard_url: str | None = None
    standard_secret: str | None = None
    hubspot_url: str | None = None
    hubspot_secret: str | None = None
    hubspot_portals: dict[str, str | None] = field(default_factory=dict)
    """HubSpot portal id -> the rep claiming it (None: nobody does, its events are parked)."""
    quota_ingest_url: str | None = None
    """An ingest with a small quota for this tenant (429s), or None."""


@dataclass
class Workload:
    model: ScoringModel
    endpoints: Endpoints
    reps: list[str]
    standard_reps: list[str] = field(default_factory=list)
    events_clients: int = 3
    pause: float = 0.1
    """Seconds between a client's requests."""
    seed: int = 1
    sent: dict[Key, Sent] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    give_up_at: float | None = None
    """monotonic time after which a client stops retrying (set when the load stops)."""

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.activities = sorted(self.model.activities)
        self.outcomes = [t for t in self.model.outcomes if t != "quota.set"]
        self.now = datetime.now(UTC)

    # --- what the clients send ----------------------------------------------------------------------------
    def _when(self) -> datetime:
        return (self.now - timedelta(seconds=self.rng.uniform(600, 20 * 86_400))).replace(microsecond=0)

    def _type(self) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            return UNKNOWN_TYPE
        if roll < 0.08 and self.outcomes:
            return self.rng.choice(self.outcomes)
        return self.rng.choice(self.activities)

    def cloud_event(self, client: str, n: int, rep: str) -> dict[str, Any]:
        type_ = self._type()
        data: dict[str, Any] = {}
        if type_ in ("deal.won", "deal.lost", "opportunity.created"):
            data["amount"] = self.rng.randint(1, 100) * 1000
        elif self.rng.random() < 0.3:
            data["counterpart"] = {"id": f"c{self.rng.randint(1, 50)}", "is_decision_maker": self.rng.random() < 0.5,
                                   "seniority": self.rng.choice(["entry", "manager", "vp"])}
        if type_ in ("post.published", "article.published", "video.published") and self.rng.random() < 0.5:
            data["reach"] = self.rng.randint(10, 50_000)
        event = {"specversion": "1.0", "id": f"{self.run_id}-{client}-{n}", "source": self.rng.choice(SOURCES),
                 "type": type_, "subject": rep, "time": self._when().isoformat(), "data": data}
        self.sent[(event["source"], event["id"])] = Sent(
            key=(event["source"], event["id"]), rep=rep, type=type_, time=datetime.fromisoformat(event["time"]),
            data=data)
        return event

    def hubspot_event(self, n: int) -> dict[str, Any]:
        portals = self.endpoints.hubspot_portals
        claimed = sorted(p for p, rep in portals.items() if rep is not None)
        unclaimed = sorted(p for p, rep in portals.items() if rep is None)
        # a few for the unclaimed portal: they stay parked, well below the scorer's limit of 500 per identity
        portal = self.rng.choice(unclaimed if unclaimed and self.rng.random() < 0.05 else claimed)
        kind = self.rng.choice(sorted(HUBSPOT_KINDS))
        occurred = int(self._when().timestamp() * 1000)
        event = {"eventId": n, "subscriptionId": 7, "portalId": int(portal), "appId": 9, "occurredAt": occurred,
                 "subscriptionType": kind, "attemptNumber": 0, "objectId": 5000 + n, "changeSource": "CRM",
                 "changeFlag": "NEW"}
        key = ("hubspot", hubspot_event_id(event))
        self.sent[key] = Sent(key=key, rep=self.endpoints.hubspot_portals[portal], type=HUBSPOT_KINDS[kind],
                              time=datetime.fromtimestamp(occurred / 1000, UTC), identity=portal,
                              data={"object_id": str(5000 + n), "object_type": kind.partition(".")[0]})
        return event

    # --- sending, with retries ----------------------------------------------------------------------------
    async def deliver(self, client: str, request: int, keys: tuple[Key, ...],
                      send: Callable[[], Awaitable[httpx.Response]]) -> bool:
        """Send until acknowledged (True); False if refused for good or given up."""
        delay = 0.2
        while True:
            started = time.monotonic()
            status: int | None = None
            error: str | None = None
            retry_after = 0.0
            header: str | None = None
            try:
                response = await send()
                status = response.status_code
                header = response.headers.get("retry-after")
                retry_after = float(header) if header and header.isdigit() else 0.0
            except httpx.TimeoutException:
                error = "timeout"
            except httpx.TransportError as exc:
                error = type(exc).__name__
            self.attempts.append(Attempt(client, request, keys, started, time.monotonic(), status, error, header))
            if status is not None and 200 <= status < 300:
                return True
            if status is not None and 400 <= status < 500 and status != 429:
                return False
            if self.give_up_at is not None and time.monotonic() > self.give_up_at:
                return False
            await asyncio.sleep(min(max(delay, retry_after), MAX_BACKOFF) * self.rng.uniform(0.8, 1.2))
            delay = min(delay * 2, MAX_BACKOFF)

    async def events_client(self, name: str, url: str, stop: asyncio.Event, max_batch: int = 8) -> None:
        headers = {"Authorization": f"Bearer {self.endpoints.api_key}",
                   "Content-Type": "application/cloudevents-batch+json"}
        async with httpx.AsyncClient(base_url=url, timeout=CLIENT_TIMEOUT) as http:
            n = request = 0
            while not stop.is_set():
                request += 1
                batch = []
                for _ in range(self.rng.randint(1, max_batch)):
                    n += 1
                    batch.append(self.cloud_event(name, n, self.rng.choice(self.reps)))
                body = json.dumps(batch).encode()
                keys = tuple((e["source"], e["id"]) for e in batch)
                await self.deliver(name, request, keys,
                                   lambda body=body: http.post("/v1/events", content=body, headers=headers))
                await asyncio.sleep(self.pause)

    async def standard_client(self, stop: asyncio.Event) -> None:
        url, secret = self.endpoints.standard_url, self.endpoints.standard_secret
        assert url and secret
        signer = Webhook(secret)
        async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as http:
            request = 0
            while not stop.is_set():
                request += 1
                event = self.cloud_event("std", request, self.rng.choice(self.standard_reps))
                body = json.dumps(event)
                msg_id = f"msg_{self.run_id}_{request}"

                def send(body: str = body, msg_id: str = msg_id) -> Awaitable[httpx.Response]:
                    stamp = datetime.now(UTC)
                    return http.post(url, content=body.encode(), headers={
                        "webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())),
                        "webhook-signature": signer.sign(msg_id, stamp, body), "content-type": "application/json"})

                await self.deliver("standard", request, ((event["source"], event["id"]),), send)
                await asyncio.sleep(self.pause)

    async def hubspot_client(self, stop: asyncio.Event) -> None:
        url, secret = self.endpoints.hubspot_url, self.endpoints.hubspot_secret
        assert url and secret
        async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as http:
            request = n = 0
            while not stop.is_set():
                request += 1
                events = []
                for _ in range(self.rng.randint(1, 4)):
                    n += 1
                    events.append(self.hubspot_event(n))
                body = json.dumps(events).encode()
                keys = tuple(("hubspot", hubspot_event_id(e)) for e in events)

                def send(body: bytes = body) -> Awaitable[httpx.Response]:
                    stamp = str(int(time.time() * 1000))
                    signature = base64.b64encode(hmac.new(secret.encode(), b"POST" + url.encode() + body + stamp.encode(),
                                                          hashlib.sha256).digest()).decode()
                    return http.post(url, content=body, headers={
                        "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": stamp,
                        "content-type": "application/json"})

                await self.deliver("hubspot", request, keys, send)
                await asyncio.sleep(self.pause)

    def tasks(self, stop: asyncio.Event) -> list[Awaitable[None]]:
        tasks: list[Awaitable[None]] = [self.events_client(f"events{i}", self.endpoints.ingest_url, stop)
                                        for i in range(self.events_clients)]
        if self.endpoints.standard_url and self.standard_reps:
            tasks.append(self.standard_client(stop))
        if self.endpoints.hubspot_url and self.endpoints.hubspot_portals:
            tasks.append(self.hubspot_client(stop))
        if self.endpoints.quota_ingest_url:
            tasks.append(self.events_client("quota", self.endpoints.quota_ingest_url, stop, max_batch=20))
        return tasks


class Load:
    """The workload running in the background: ``start``, inject faults, ``stop`` (clients finish their retries).

    ``acked_since(t)`` tells whether acknowledgements flow again after a fault."""

    def __init__(self, workload: Workload, give_up_after: float = 150.0) -> None:
        self.workload = workload
        self.give_up_after = give_up_after
        self.stop_event = asyncio.Event()
        self.task: asyncio.Future[list[None]] | None = None
        self.started = self.stopped = 0.0

    def start(self) -> Load:
        self.started = time.monotonic()
        self.task = asyncio.gather(*self.workload.tasks(self.stop_event))
        return self

    async def stop(self) -> float:
        """Stop sending new requests; wait until every request in flight was acknowledged or given up."""
        assert self.task is not None
        self.stop_event.set()
        self.workload.give_up_at = time.monotonic() + self.give_up_after
        await self.task
        self.stopped = time.monotonic()
        return self.stopped

    def acked_since(self, moment: float) -> int:
        return sum(len(a.keys) for a in list(self.workload.attempts) if a.acknowledged and a.started >= moment)

    def answers_since(self, moment: float) -> list[Attempt]:
        return [a for a in list(self.workload.attempts) if a.started >= moment]

    async def wait_for_acks(self, count: int, since: float, timeout: float = 120.0) -> None:
        """Until ``count`` events were acknowledged by attempts started after ``since`` (bounded wait)."""
        deadline = time.monotonic() + timeout
        while self.acked_since(since) < count:
            assert self.task is None or not self.task.done() or self.task.exception() is None
            assert time.monotonic() < deadline, f"fewer than {count} events acknowledged in {timeout:.0f}s"
            await asyncio.sleep(0.2)
