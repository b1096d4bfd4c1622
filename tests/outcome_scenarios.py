"""A worked example for validation against quota: reps with a latent skill that drives both their activity
(how much of a steady week they do) and, in the skill-driven case, their quota attainment; in the random case
attainment is drawn independently of skill. Reproducible from the seed."""

from __future__ import annotations

import random
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tests.scenarios import STEADY_WEEK, weeks_of

QUOTA = 100_000.0


@dataclass(frozen=True)
class Rep:
    rep_id: str
    team: str
    skill: float
    attainment: float


def cohort(n: int, teams: tuple[str, ...], *, skill_drives_attainment: bool, seed: int, prefix: str = "rep") -> list[Rep]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        skill = rng.random()
        attainment = (0.3 + 1.2 * skill + rng.gauss(0, 0.1)) if skill_drives_attainment else rng.uniform(0.3, 1.5)
        out.append(Rep(f"{prefix}-{i:03d}", teams[i % len(teams)], skill, max(0.0, attainment)))
    return out


def activity(rep: Rep, end: datetime, weeks: int = 3) -> list[dict]:
    """A share of the steady week that grows with skill: 20% for the weakest rep, 140% for the strongest."""
    factor = 0.2 + 1.2 * rep.skill
    plan = [(kind, max(1, round(count * factor)), source, data) for kind, count, source, data in STEADY_WEEK]
    return weeks_of(rep.rep_id, plan, weeks, end, seed=zlib.crc32(rep.rep_id.encode()))


def outcomes(rep: Rep, first: date, last: date, now: datetime, seed: int) -> list[dict]:
    """quota.set for the period, and two or three deal.won in it (before now) adding up to the attainment."""
    rng = random.Random(f"{seed}/{rep.rep_id}")
    period = f"{first.isoformat()}/{last.isoformat()}"
    start = datetime.combine(first, time.min, tzinfo=UTC)
    span = (min(now, datetime.combine(last, time.max, tzinfo=UTC)) - start).total_seconds()

    def event(kind: str, at: datetime, **data: object) -> dict:
        return {"specversion": "1.0", "id": str(uuid.UUID(int=rng.getrandbits(128))), "source": "salesforce",
                "type": kind, "subject": rep.rep_id, "time": at.isoformat(), "data": data}

    out = [event("quota.set", start - timedelta(days=1), amount=QUOTA, period=period, currency="EUR")]
    parts = rng.randint(2, 3)
    won = QUOTA * rep.attainment
    for k in range(parts):
        out.append(event("deal.won", start + timedelta(seconds=rng.uniform(0, span)), amount=round(won / parts, 2),
                         currency="EUR"))
    out.append(event("deal.lost", start + timedelta(seconds=rng.uniform(0, span)), amount=5000.0))
    out.append(event("opportunity.created", start + timedelta(seconds=rng.uniform(0, span))))
    return out
