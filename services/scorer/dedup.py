"""The dedup table's entries and their expiry, incrementally. Pure: no Faust, no Kafka.

An entry remembers where an event id was first met: ``(offset, partition, received_at)`` (epoch seconds at
ingest), packed in 20 bytes. Entries live ``retention`` past their arrival, longer than any sender keeps
retrying (Standard Webhooks about 3 days, Stripe 3 days, Salesforce 24 h, X and LinkedIn 8 h); a duplicate
arriving later than that would be scored again. The window is bounded by time, not by a count.

Expiry never scans the table in the event loop: ``ExpiryIndex`` keeps, per partition, the keys in the order
they arrived, so each batch pops only the entries that expired since the last one (amortised O(1) per
event). After a rebalance or a restart the index is rebuilt once from the recovered table (O(entries), once).
An entry is deleted while a batch of its own partition is handled, so the tombstone goes to the changelog
partition that holds the entry.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Iterable

_ENTRY = struct.Struct("<qid")


def entry(offset: int, partition: int, received_at: float) -> bytes:
    return _ENTRY.pack(offset, partition, received_at)


def decode(value: bytes) -> tuple[int, int, float]:
    return _ENTRY.unpack(value)  # type: ignore[return-value]


def first_offset(value: bytes | None) -> int | None:
    """The offset an id was first met at, or None for an id never met."""
    if value is None:
        return None
    return _ENTRY.unpack_from(value)[0]


class ExpiryIndex:
    """Per partition, (received_at, key) in arrival order; ingest clocks are close to monotonic, so an
    entry that arrived slightly out of order is forgotten at most that much late, never early."""

    def __init__(self) -> None:
        self._queues: dict[int, deque[tuple[float, bytes]]] = {}

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def add(self, partition: int, received_at: float, key: bytes) -> None:
        queue = self._queues.get(partition)
        if queue is None:
            queue = self._queues[partition] = deque()
        queue.append((received_at, key))

    def expired(self, partition: int, cutoff: float) -> list[bytes]:
        """Pop and return the keys of ``partition`` that arrived before ``cutoff``."""
        queue = self._queues.get(partition)
        out: list[bytes] = []
        while queue and queue[0][0] < cutoff:
            out.append(queue.popleft()[1])
        return out

    def rebuild(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Index every entry of a recovered table (once per rebalance)."""
        rows: dict[int, list[tuple[float, bytes]]] = {}
        for key, value in items:
            _, partition, received_at = decode(value)
            rows.setdefault(partition, []).append((received_at, key))
        self._queues = {p: deque(sorted(r)) for p, r in rows.items()}
