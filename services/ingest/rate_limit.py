"""Per-key token buckets (here: one per webhook endpoint's handshakes), in process memory.

Each ingest process keeps its own buckets, so N processes allow up to N times the rate: the limit is there to
stop one client from hammering an endpoint's handshake, not to meter fairly across a fleet.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBuckets:
    """``per_minute`` requests per key per minute, bursts up to ``per_minute``; at most ``max_keys`` keys kept."""

    def __init__(self, per_minute: int, *, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """0.0 when the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = self._clock()
        tokens, at = self._buckets.get(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - at) * self._rate)
        if tokens >= 1.0:
            if key not in self._buckets and len(self._buckets) >= self._max_keys:
                self._buckets.clear()  # many keys at once: forget them all rather than grow
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self._rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
