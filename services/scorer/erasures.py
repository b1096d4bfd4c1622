"""The scorer's view of the registry of erased reps (shared.db.erasure), and what it means for an event.

Every batch first reads what changed in the registry since the last batch (one indexed query on a sequence
number, usually empty), so an erasure reaches the scorer before its next batch, and a scorer of any model
version, started from scratch to replay the activity topic, knows every erasure before its first record:
- an event received before the rep's erasure is never scored again (skipped, counted as ``erased``), even
  after ``ssi rep unerase``: a reused id starts from nothing;
- an event received after the erasure, while it stands, goes to the dead-letter topic with the reason
  ``erased`` and no payload (nothing about it is stored);
- the rep's state and dedup records are dropped with changelog tombstones by the worker that owns them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncEngine

from shared import topics
from shared.db import erasure

log = logging.getLogger("ssi.scorer.erasures")


class Fate(str, Enum):
    SCORE = "score"
    SKIP = "skip"
    """received before the erasure: never counts again"""
    DEAD_LETTER = "dead_letter"
    """received while the rep is erased"""


def fate(entry: erasure.Entry | None, received_at: datetime) -> Fate:
    """What happens to an event of a rep, given the rep's registry entry. Pure."""
    if entry is None:
        return Fate.SCORE
    if received_at < entry.erased_at:
        return Fate.SKIP
    return Fate.DEAD_LETTER if entry.erased else Fate.SCORE


@dataclass
class Registry:
    engine: AsyncEngine
    entries: dict[bytes, erasure.Entry] = field(default_factory=dict)
    """rep key (tenant|rep) -> its registry entry"""
    last_change: int = 0
    retry_seconds: float = 1.0

    def get(self, rep_key: bytes) -> erasure.Entry | None:
        return self.entries.get(rep_key)

    def erased_keys(self) -> list[bytes]:
        return [k for k, e in self.entries.items() if e.erased]

    async def refresh(self) -> list[bytes]:
        """Read the changes since the last call; returns the rep keys that changed. Waits (retrying) while
        Postgres is away: scoring without the registry could bring an erased rep back."""
        changed: list[bytes] = []
        while True:
            try:
                async with self.engine.connect() as conn:
                    while True:
                        rows = await erasure.changes_since(conn, self.last_change)
                        for entry in rows:
                            key = topics.rep_key(entry.tenant_id, entry.rep_id).encode()
                            self.entries[key] = entry
                            changed.append(key)
                            self.last_change = entry.change_id
                        if len(rows) < 10_000:
                            return changed
            except (OSError, asyncio.TimeoutError, Exception) as exc:  # noqa: BLE001 - transient: wait and retry
                log.warning("cannot read the erasure registry (%s: %s); retrying in %.0fs",
                            type(exc).__name__, exc, self.retry_seconds)
                await asyncio.sleep(self.retry_seconds)
