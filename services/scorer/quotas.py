"""Per-tenant quotas in the scorer: reps created by events, identities with parked events, dead letters.

The counts come from Postgres (``shared.db.quotas``: scored reps, unclaimed identities) every
``quota_refresh_seconds``, plus what this worker admitted since, so several workers together can exceed a quota
by what they admit within one refresh interval, and a rep whose state was dropped (idle) counts again when it
comes back until the next refresh. Dead letters are counted per tenant and hour in each process; past the
limit they are dropped (not written), and counted in ``ssi_scorer_quota_refusals_total{kind="dead_letters"}``.
The pure part (``TenantCounts``, ``HourlyLimit``) has no I/O.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import quotas

log = logging.getLogger("ssi.scorer.quotas")

REFUSALS = Counter(
    "ssi_scorer_quota_refusals_total",
    "Events refused by a per-tenant quota (reps, parked identities: dead-lettered; dead letters: dropped).",
    ["kind"],
)


@dataclass
class TenantCounts:
    """Reps and parked identities per tenant: the last counts read, plus what was admitted since. Pure."""

    max_reps: int
    max_parked_identities: int
    reps: dict[str, int] = field(default_factory=dict)
    parked: dict[str, int] = field(default_factory=dict)

    def load(self, counts: dict[str, tuple[int, int]]) -> None:
        """Fresh counts from the database; never below what this process admitted since the last read (the
        sink may not have written those yet)."""
        self.reps = {t: max(r, self.reps.get(t, 0)) for t, (r, _) in counts.items()} | {
            t: n for t, n in self.reps.items() if t not in counts}
        self.parked = {t: p for t, (_, p) in counts.items()}

    def admit_rep(self, tenant_id: str) -> bool:
        n = self.reps.get(tenant_id, 0)
        if n >= self.max_reps:
            return False
        self.reps[tenant_id] = n + 1
        return True

    def admit_parked_identity(self, tenant_id: str) -> bool:
        n = self.parked.get(tenant_id, 0)
        if n >= self.max_parked_identities:
            return False
        self.parked[tenant_id] = n + 1
        return True


@dataclass
class HourlyLimit:
    """At most ``limit`` per key per clock hour, in this process. Pure."""

    limit: int
    hour: int = -1
    counts: dict[str, int] = field(default_factory=dict)

    def take(self, key: str, now: float) -> bool:
        hour = int(now // 3600)
        if hour != self.hour:
            self.hour, self.counts = hour, {}
        n = self.counts.get(key, 0)
        if n >= self.limit:
            return False
        self.counts[key] = n + 1
        return True


@dataclass
class Quotas:
    engine: AsyncEngine
    counts: TenantCounts
    dead_letters: HourlyLimit
    refresh_seconds: float
    _next: float = 0.0

    async def refresh_if_due(self) -> None:
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.refresh_seconds
        try:
            async with self.engine.connect() as conn:
                self.counts.load(await quotas.per_tenant(conn))
        except Exception as exc:  # noqa: BLE001 - the last counts stay in force; tried again next time
            log.warning("cannot read the quota counts (%s: %s)", type(exc).__name__, exc)
