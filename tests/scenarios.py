"""Reproducible activity scenarios shared by the calibration, anti-gaming and integration tests."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

DM = {"counterpart": {"is_decision_maker": True, "seniority": "director"}}
PEER = {"counterpart": {"is_decision_maker": False, "seniority": "senior"}}

# per week: (type, count, source, data) -- a rep doing the right things, not a lot of them
STEADY_WEEK: list[tuple[str, int, str, dict[str, Any]]] = [
    ("post.published", 3, "linkedin", {"reach": 2000}),
    ("engagement.received", 12, "linkedin", PEER),
    ("follower.gained", 3, "linkedin", PEER),
    ("search.performed", 3, "linkedin", {}),
    ("profile.viewed", 10, "linkedin", DM),
    ("lead.saved", 3, "hubspot", DM),
    ("connection.requested", 5, "linkedin", DM),
    ("comment.posted", 5, "linkedin", DM),
    ("content.shared", 2, "x", {}),
    ("reaction.given", 10, "linkedin", PEER),
    ("connection.accepted", 4, "linkedin", DM),
    ("message.sent", 8, "linkedin", DM),
    ("message.replied", 5, "linkedin", DM),
    ("meeting.booked", 1, "hubspot", DM),
    ("call.completed", 1, "hubspot", DM),
    ("email.replied", 3, "hubspot", DM),
]

# the issue's "balanced week": a few posts, comments on prospects' content, connections with decision
# makers, replies and one meeting
BALANCED_WEEK: list[tuple[str, int, str, dict[str, Any]]] = [
    ("post.published", 3, "linkedin", {"reach": 1500}),
    ("comment.posted", 6, "linkedin", DM),
    ("connection.requested", 4, "linkedin", DM),
    ("connection.accepted", 4, "linkedin", DM),
    ("message.replied", 5, "linkedin", DM),
    ("meeting.booked", 1, "hubspot", DM),
]

GAMER_DAY: list[tuple[str, int, str, dict[str, Any]]] = [("reaction.given", 500, "linkedin", PEER)]


def _event(subject: str, kind: str, source: str, at: datetime, data: dict[str, Any], rng: random.Random) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "source": source,
        "type": kind,
        "subject": subject,
        "time": at.isoformat(),
        "data": data,
    }


def weeks_of(subject: str, plan: list, weeks: int, end: datetime, seed: int = 1) -> list[dict]:
    """``weeks`` weeks of ``plan`` ending at ``end``, spread over working hours of Monday to Friday."""
    rng = random.Random(seed)
    out = []
    for week in range(weeks):
        start = end - timedelta(weeks=weeks - week)
        for kind, count, source, data in plan:
            for _ in range(count):
                at = start + timedelta(days=rng.randrange(5), hours=rng.uniform(8, 18))
                out.append(_event(subject, kind, source, min(at, end), data, rng))
    return out


def days_of(subject: str, plan: list, days: int, end: datetime, seed: int = 2) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for day in range(days):
        start = end - timedelta(days=days - day)
        for kind, count, source, data in plan:
            for _ in range(count):
                out.append(_event(subject, kind, source, start + timedelta(hours=rng.uniform(0, 24)), data, rng))
    return out
