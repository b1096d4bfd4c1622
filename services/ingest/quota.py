"""Per-tenant event quota at the ingest: one token bucket per tenant, in this process's memory (pure; no I/O).

A bucket holds at most ``burst`` tokens and refills at ``rate`` tokens per second; an event costs one token,
so a batch of n events costs n. A request is taken whole or refused whole, and a refused one costs nothing.

A request of more events than ``burst`` could never find that many tokens, so it is let through once the
bucket is full and leaves the bucket in debt (negative): the tenant then waits as long as if it had sent
those events one by one, and the long-run rate stays ``rate`` (every request either fits or waits for a full
bucket first, and debt is repaid at ``rate`` before anything else passes).

Each ingest process holds its own buckets: with N workers (``SSI_INGEST_WORKERS``) a tenant may get up to N
times the configured rate through one deployment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float  # capacity
    tokens: float
    at: float  # the clock reading ``tokens`` was computed at

    def take(self, n: int, now: float) -> float:
        """Take ``n`` tokens at ``now``: 0.0 when taken, else the seconds until they can be (nothing taken)."""
        if n < 0:
            raise ValueError("a request cannot cost fewer than 0 tokens")
        elapsed = max(0.0, now - self.at)  # a clock going backwards refills nothing
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.at = max(self.at, now)
        needed = min(float(n), self.burst)
        if self.tokens >= needed - 1e-9 * needed:  # float rounding must not refuse a retry made at Retry-After
            self.tokens -= n
            return 0.0
        return (needed - self.tokens) / self.rate


class TenantQuota:
    """One bucket per tenant, created full on its tenant's first request. Tenants are authenticated before
    they get a bucket, so their number is bounded by the tenant table."""

    def __init__(self, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, tenant_id: str, n: int, now: float) -> float:
        bucket = self._buckets.get(tenant_id)
        if bucket is None:
            bucket = self._buckets[tenant_id] = TokenBucket(self.rate, float(self.burst), float(self.burst), now)
        return bucket.take(n, now)


def retry_after_seconds(wait: float) -> int:
    """Retry-After is an integer number of seconds: rounded up, at least 1, so a retry then finds the tokens."""
    return max(1, math.ceil(wait))
