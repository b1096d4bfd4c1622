"""A sender as real ones behave: retries on 5xx, 429, timeouts and refused connections, with backoff."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx

from tests.factories import bearer


@dataclass
class RetryingSender:
    ingest_url: str
    api_key: str
    attempts: int = 0
    retried: int = 0
    acked: list[dict] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)

    async def send(self, batch: list[dict], deadline_seconds: float = 240.0, request_id: str | None = None) -> None:
        """Send ``batch`` until it is answered 202 (then it is acknowledged), or fail after the deadline."""
        deadline = time.monotonic() + deadline_seconds
        delay = 0.5
        last = ""
        headers = bearer(self.api_key)
        if request_id:
            headers["X-Request-Id"] = request_id
        async with httpx.AsyncClient(base_url=self.ingest_url, timeout=15) as client:
            while time.monotonic() < deadline:
                self.attempts += 1
                try:
                    response = await client.post("/v1/events", json=batch, headers=headers)
                except httpx.TransportError as exc:  # refused, reset or timed out: a retry is safe
                    last = f"{type(exc).__name__}"
                else:
                    if response.status_code == 202:
                        self.acked.extend(batch)
                        self.request_ids.append(response.headers.get("x-request-id", ""))
                        return
                    assert response.status_code in (429, 500, 502, 503, 504), response.text
                    last = f"{response.status_code} {response.text[:200]}"
                self.retried += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError(f"a batch was never acknowledged within {deadline_seconds:.0f}s; last answer: {last}")

    def by_rep(self) -> dict[str, list[dict]]:
        reps: dict[str, list[dict]] = {}
        for event in self.acked:
            reps.setdefault(event["subject"], []).append(event)
        return reps
