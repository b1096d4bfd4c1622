"""The parking policy for webhook events whose platform identity no rep has claimed yet. Pure.

An event for a claimed identity is delivered to its rep; one for an unclaimed identity is parked under that
identity, up to ``PARK_LIMIT`` events, beyond which it goes to the dead-letter topic (replayable once the
identity is claimed). A claim releases every parked event, in arrival order, to the claiming rep.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from shared import topics

PARK_LIMIT = 500
"""Events kept per unclaimed identity; more go to the dead-letter topic (replayable once it is claimed)."""


class Route(str, Enum):
    DELIVER = "deliver"
    PARK = "park"
    OVERFLOW = "overflow"


def route(claimed_by: str | None, parked: int, limit: int = PARK_LIMIT) -> Route:
    """Where a normalised event goes, given who claims its identity and how many events wait already."""
    if claimed_by is not None:
        return Route.DELIVER
    return Route.PARK if parked < limit else Route.OVERFLOW


def overflow_reason(key: str, limit: int = PARK_LIMIT) -> str:
    return f"identity {key} is claimed by no rep and {limit} events are parked already; replay after claiming it"


def status(key: str, parked_events: list[dict[str, Any]]) -> dict[str, Any]:
    """The identity-status record the sink keeps for the api: how many wait, and when the last arrived."""
    tenant_id, platform, identity = key.split(topics.KEY_SEPARATOR, 2)
    last = max((e["received_at"] for e in parked_events), default=None)
    return {"tenant_id": tenant_id, "platform": platform, "identity": identity, "parked": len(parked_events),
            "last_event_at": last}
