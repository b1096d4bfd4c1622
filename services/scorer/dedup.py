"""Remembering event ids for deduplication, and forgetting them, at O(1) per event. Pure: no Faust, no Kafka.

Where an event id was first met is remembered as (16-byte BLAKE2b digest of tenant|source|id -> offset).
The ids a batch meets for one rep are written as ONE table record (key ``rep key|partition|first offset``),
so the dedup table costs one changelog record per rep per batch, not one per event; an in-memory index
(digest -> offset) answers lookups, and is rebuilt from the table once after each recovery.

Entries live ``retention`` past their arrival, longer than any sender keeps retrying (Standard Webhooks
about 3 days, Stripe 3 days, Salesforce 24 h, X and LinkedIn 8 h); a duplicate arriving later than that
would be scored again. The window is bounded by time, not by a count that a busy rep would overflow.
Expiry never scans the table in the event loop: records are queued per partition in arrival order, and each
batch pops only those that expired since the last one; a record is deleted while a batch of its own
partition is handled, so the tombstone goes to the changelog partition that holds it. Two different ids
share a digest with probability about n^2 / 2^129: for a billion ids in the window, 1.5e-21.
"""

from __future__ import annotations

import hashlib
import struct
from collections import deque
from collections.abc import Iterable

_HEADER = struct.Struct("<diI")  # newest received_at in the record, partition, number of entries
_ENTRY = struct.Struct("<16sq")  # digest, offset the id was first met at


def digest(dedup_key: str) -> bytes:
    return hashlib.blake2b(dedup_key.encode(), digest_size=16).digest()


def record_key(rep_key: bytes, partition: int, first_offset: int) -> bytes:
    return b"%s|%d|%d" % (rep_key, partition, first_offset)


def encode(received_at: float, partition: int, entries: list[tuple[bytes, int]]) -> bytes:
    return _HEADER.pack(received_at, partition, len(entries)) + b"".join(_ENTRY.pack(d, o) for d, o in entries)


def decode(value: bytes) -> tuple[float, int, list[tuple[bytes, int]]]:
    """Raises ``struct.error`` for a value that is not a dedup record."""
    received_at, partition, count = _HEADER.unpack_from(value, 0)
    if len(value) != _HEADER.size + count * _ENTRY.size:
        raise struct.error(f"a dedup record of {count} entries has {len(value)} bytes")
    return received_at, partition, list(_ENTRY.iter_unpack(value[_HEADER.size :]))


class SeenIndex:
    """The digests in the dedup table and, per partition, its records in arrival order (for expiry)."""

    def __init__(self) -> None:
        self.first: dict[bytes, int] = {}
        self._queues: dict[int, deque[tuple[float, bytes]]] = {}

    def __len__(self) -> int:
        return len(self.first)

    def first_offset(self, id_digest: bytes) -> int | None:
        return self.first.get(id_digest)

    def remember(self, id_digest: bytes, offset: int) -> None:
        self.first.setdefault(id_digest, offset)

    def written(self, key: bytes, received_at: float, partition: int) -> None:
        """A record was written: queue it for expiry."""
        queue = self._queues.get(partition)
        if queue is None:
            queue = self._queues[partition] = deque()
        queue.append((received_at, key))

    def expired(self, partition: int, cutoff: float, table: dict) -> list[bytes]:  # type: ignore[type-arg]
        """Pop the records of ``partition`` whose newest id arrived before ``cutoff``; forget their ids (those
        still pointing at that record's offsets) and return their keys, for the caller to delete."""
        queue = self._queues.get(partition)
        out: list[bytes] = []
        while queue and queue[0][0] < cutoff:
            key = queue.popleft()[1]
            value = table.get(key)
            if value is None:
                continue
            for id_digest, offset in decode(value)[2]:
                if self.first.get(id_digest) == offset:
                    del self.first[id_digest]
            out.append(key)
        return out

    def rebuild(self, items: Iterable[tuple[bytes, bytes]]) -> int:
        """Index every record of a recovered table (once per recovery). Returns how many records could not
        be decoded: they are left out (and logged by the caller), never allowed to stop the rebuild."""
        first: dict[bytes, int] = {}
        rows: dict[int, list[tuple[float, bytes]]] = {}
        bad = 0
        for key, value in items:
            try:
                received_at, partition, entries = decode(value)
            except (struct.error, TypeError):
                bad += 1
                continue
            for id_digest, offset in entries:
                if offset < first.get(id_digest, offset + 1):
                    first[id_digest] = offset
            rows.setdefault(partition, []).append((received_at, key))
        self.first = first
        self._queues = {p: deque(sorted(r)) for p, r in rows.items()}
        return bad
