"""The dedup table's entries and their expiry. Pure.

An entry remembers where an event id was first met: ``[offset, partition, received_at]`` (epoch seconds at
ingest). Entries live ``retention`` past their arrival, longer than any sender keeps retrying (Standard
Webhooks about 3 days, Stripe 3 days, Salesforce 24 h, X and LinkedIn 8 h); a duplicate arriving later than
that would be scored again. An entry is deleted while an event of its own partition is being handled, so the
tombstone goes to the changelog partition that holds the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def entry(offset: int, partition: int, received_at: float) -> list[float | int]:
    return [offset, partition, received_at]


def first_offset(value: Any) -> int | None:
    """The offset an id was first met at; accepts the older bare-offset entries too."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return int(value[0])


def expired(items: Iterable[tuple[str, Any]], partition: int, cutoff: float) -> list[str]:
    """Keys of ``partition`` whose event arrived before ``cutoff`` (bare-offset entries never expire)."""
    return [
        key
        for key, value in items
        if isinstance(value, list) and len(value) == 3 and value[1] == partition and value[2] < cutoff
    ]
