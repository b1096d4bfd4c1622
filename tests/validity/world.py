"""A synthetic sales organisation with a known truth: who sells, and what each rep does on the platforms.

Fixed before any ssi-v3 tuning (README, "Proving the score on a world with known truth"): the parameters below
were written and committed first, then the model was tuned; they are not changed to suit a model.

Each rep has a latent ``skill`` ~ N(0, 1). Skill drives, with noise:
- the quality of what the rep does: acceptance of connection requests, replies to messages, the share of
  decision makers and senior people among the counterparts, meetings booked from replies, engagement and
  reach of posts;
- the rep's quota ``attainment`` (a lognormal around 1).
``volume`` ~ lognormal, independent of skill, scales how much ordinary one-way activity the rep does.
The ceiling of any score is the Spearman correlation of skill with attainment: a score can at best rank reps
by skill, and attainment has its own noise.

``volume players`` (the essay's rep "playing around on LinkedIn all day") are weaker sellers who make up for
it with volume: every working day hundreds of reactions, dozens of profile views and connection requests to
mostly junior people (few accepted), dozens of messages that rarely get a reply and several low-reach posts.

A ``switcher`` behaves as a volume player until ``switch_day``, then works like a skilled rep.

Pure code: no I/O. The same (seed, size, days) gives the same world.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DAY = 86_400.0
SENIORITIES = ("entry", "senior", "manager", "director", "vp", "cxo")

# --- the world's parameters (fixed before tuning any model; see the module docstring) -----------------------
ATTAINMENT_SKILL = 0.30
"""log-attainment = 0.30 * skill + 0.20 * noise"""
ATTAINMENT_NOISE = 0.20
VOLUME_SIGMA = 0.45
"""ordinary volume: lognormal(0, 0.45), independent of skill"""
VOLUME_PLAYER_SHARE = 0.12
VOLUME_PLAYER_SKILL = (-0.6, 0.6)
"""mean and spread of the volume players' skill: weaker sellers compensating with activity"""
WEEKDAY_PLAN = {  # mean count per working day for a rep of volume 1
    "connection.requested": 3.0,
    "message.sent": 5.0,
    "profile.viewed": 8.0,
    "search.performed": 2.0,
    "lead.saved": 1.0,
    "reaction.given": 6.0,
    "comment.posted": 1.2,
    "post.published": 0.4,
    "content.shared": 0.3,
}
VOLUME_PLAYER_DAY = {  # mean count per working day, whatever the volume
    "connection.requested": 30.0,
    "message.sent": 30.0,
    "profile.viewed": 45.0,
    "search.performed": 10.0,
    "lead.saved": 6.0,
    "reaction.given": 250.0,
    "comment.posted": 8.0,
    "post.published": 4.0,
    "content.shared": 3.0,
}


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class Behaviour:
    """How a rep works: rates per opportunity and the kind of people addressed."""

    acceptance: float
    reply: float
    meeting_per_reply: float
    dm_share: float
    senior_bias: float
    """shifts the counterparts' seniority up (positive) or down"""
    engagement_per_post: float
    reach: float
    plan: dict[str, float]


def skilled_behaviour(skill: float, volume: float, rng: random.Random) -> Behaviour:
    noise = lambda s: rng.gauss(0.0, s)  # noqa: E731
    return Behaviour(
        acceptance=_clip(_logistic(-1.0 + 0.7 * skill + noise(0.35)), 0.03, 0.9),
        reply=_clip(_logistic(-1.6 + 0.7 * skill + noise(0.35)), 0.02, 0.8),
        meeting_per_reply=_clip(_logistic(-1.8 + 0.6 * skill + noise(0.35)), 0.02, 0.6),
        dm_share=_clip(_logistic(-1.2 + 0.7 * skill + noise(0.35)), 0.02, 0.85),
        senior_bias=0.6 * skill + noise(0.4),
        engagement_per_post=math.exp(1.2 + 0.45 * skill + noise(0.3)),
        reach=math.exp(7.0 + 0.5 * skill + noise(0.4)),
        plan={k: v * volume * math.exp(noise(0.25)) for k, v in WEEKDAY_PLAN.items()},
    )


def volume_behaviour(skill: float, rng: random.Random) -> Behaviour:
    noise = lambda s: rng.gauss(0.0, s)  # noqa: E731
    return Behaviour(
        acceptance=_clip(0.06 + 0.02 * skill + noise(0.015), 0.02, 0.12),
        reply=_clip(0.04 + 0.01 * skill + noise(0.01), 0.01, 0.08),
        meeting_per_reply=_clip(_logistic(-2.2 + 0.5 * skill + noise(0.3)), 0.02, 0.4),
        dm_share=_clip(0.05 + noise(0.02), 0.01, 0.12),
        senior_bias=-1.5 + noise(0.3),
        engagement_per_post=math.exp(-0.5 + noise(0.3)),
        reach=math.exp(5.0 + noise(0.4)),
        plan={k: v * math.exp(noise(0.2)) for k, v in VOLUME_PLAYER_DAY.items()},
    )


@dataclass
class Rep:
    rep_id: str
    skill: float
    attainment: float
    volume: float
    kind: str
    """"ordinary", "volume" (a volume player) or "switcher" """
    switch_day: int | None = None
    events: list[tuple[str, str, float, dict[str, Any]]] = field(default_factory=list)
    """(type, source, epoch seconds, data), in time order"""

    @property
    def activity_count(self) -> int:
        return len(self.events)

    def events_until(self, at: float) -> list[tuple[str, str, float, dict[str, Any]]]:
        return [e for e in self.events if e[2] <= at]


@dataclass
class World:
    seed: int
    start: datetime
    days: int
    reps: list[Rep]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    @property
    def ceiling(self) -> float:
        """Spearman of latent skill with attainment: the best any score can do on this world."""
        return spearman([r.skill for r in self.reps], [r.attainment for r in self.reps])

    def of_kind(self, kind: str) -> list[Rep]:
        return [r for r in self.reps if r.kind == kind]


def _counterpart(b: Behaviour, rng: random.Random, dm_boost: float = 1.0) -> dict[str, Any]:
    level = _clip(round(1.6 + b.senior_bias + rng.gauss(0, 1.1)), 0, len(SENIORITIES) - 1)
    return {"counterpart": {"is_decision_maker": rng.random() < min(1.0, b.dm_share * dm_boost),
                            "seniority": SENIORITIES[int(level)]}}


def _poisson(mean: float, rng: random.Random) -> int:
    if mean <= 0:
        return 0
    if mean > 40:  # normal approximation, plenty for counts this large
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _at(day_start: float, rng: random.Random, lag_days: float = 0.0) -> float:
    return day_start + lag_days * DAY + rng.uniform(8, 18) * 3600


def _working_day(rep: Rep, b: Behaviour, day_start: float, end: float, rng: random.Random) -> None:
    out = rep.events
    plan = b.plan

    def emit(kind: str, at: float, data: dict[str, Any], source: str = "linkedin") -> None:
        if at < end:
            out.append((kind, source, at, data))

    for _ in range(_poisson(plan["search.performed"], rng)):
        emit("search.performed", _at(day_start, rng), {})
    for _ in range(_poisson(plan["profile.viewed"], rng)):
        emit("profile.viewed", _at(day_start, rng), _counterpart(b, rng))
    for _ in range(_poisson(plan["lead.saved"], rng)):
        emit("lead.saved", _at(day_start, rng), _counterpart(b, rng), "hubspot")
    for _ in range(_poisson(plan["connection.requested"], rng)):
        who = _counterpart(b, rng)
        emit("connection.requested", _at(day_start, rng), who)
        # decision makers accept a little less often; the rep's own rate dominates
        p = b.acceptance * (0.8 if who["counterpart"]["is_decision_maker"] else 1.0)
        if rng.random() < p:
            emit("connection.accepted", _at(day_start, rng, rng.choice((0, 1, 1, 2, 3))), who)
    for _ in range(_poisson(plan["message.sent"], rng)):
        who = _counterpart(b, rng)
        emit("message.sent", _at(day_start, rng), who)
        if rng.random() < b.reply:
            emit("message.replied", _at(day_start, rng, rng.choice((0, 0, 1, 2))), who)
            if rng.random() < b.meeting_per_reply:
                meeting_lag = rng.choice((1, 2, 3, 5))
                emit("meeting.booked", _at(day_start, rng, meeting_lag), who, "hubspot")
                if rng.random() < 0.7:
                    emit("call.completed", _at(day_start, rng, meeting_lag + rng.choice((2, 5, 7))), who, "hubspot")
            if rng.random() < 0.3:
                emit("email.replied", _at(day_start, rng, rng.choice((1, 2, 4))), who, "hubspot")
    for _ in range(_poisson(plan["reaction.given"], rng)):
        emit("reaction.given", _at(day_start, rng), _counterpart(b, rng))
    for _ in range(_poisson(plan["comment.posted"], rng)):
        emit("comment.posted", _at(day_start, rng), _counterpart(b, rng))
    for _ in range(_poisson(plan["content.shared"], rng)):
        emit("content.shared", _at(day_start, rng), {}, rng.choice(("linkedin", "linkedin", "x")))
    for _ in range(_poisson(plan["post.published"], rng)):
        reach = max(10, round(b.reach * math.exp(rng.gauss(0, 0.5))))
        at = _at(day_start, rng)
        emit("post.published", at, {"reach": reach})
        for _ in range(_poisson(b.engagement_per_post, rng)):
            emit("engagement.received", at + rng.uniform(0.1, 3.0) * DAY, _counterpart(b, rng, 0.7))
        for _ in range(_poisson(b.engagement_per_post / 6.0, rng)):
            emit("follower.gained", at + rng.uniform(0.1, 5.0) * DAY, _counterpart(b, rng, 0.7))
        if rng.random() < min(0.8, b.engagement_per_post / 15.0):
            emit("content.amplified", at + rng.uniform(0.2, 3.0) * DAY,
                 {"counterpart": {"followers": round(b.reach * rng.uniform(0.5, 3))}})


def build_world(seed: int, size: int = 100, days: int = 84, *, switchers: int = 1,
                start: datetime = datetime(2026, 6, 1, tzinfo=UTC)) -> World:
    """``size`` reps over ``days`` days from ``start`` (a Monday): about 12 % volume players, ``switchers``
    reps who switch from volume to quality at day ``days // 2``, the rest ordinary."""
    rng = random.Random(seed)
    players = max(1, round(size * VOLUME_PLAYER_SHARE))
    reps: list[Rep] = []
    for i in range(size):
        if i < players:
            kind, skill = "volume", rng.gauss(*VOLUME_PLAYER_SKILL)
        elif i < players + switchers:
            kind, skill = "switcher", rng.gauss(0.8, 0.3)
        else:
            kind, skill = "ordinary", rng.gauss(0.0, 1.0)
        attainment = math.exp(ATTAINMENT_SKILL * skill + ATTAINMENT_NOISE * rng.gauss(0.0, 1.0))
        volume = math.exp(rng.gauss(0.0, VOLUME_SIGMA))
        reps.append(Rep(f"w{seed}-r{i:04d}", skill, attainment, volume, kind,
                        switch_day=days // 2 if kind == "switcher" else None))
    end = (start + timedelta(days=days)).timestamp()
    for rep in reps:
        r = random.Random(f"{seed}/{rep.rep_id}")
        skilled = skilled_behaviour(rep.skill, rep.volume, r)
        volume = volume_behaviour(rep.skill, r)
        for d in range(days):
            day_start = (start + timedelta(days=d)).timestamp()
            if (start + timedelta(days=d)).weekday() >= 5:
                continue
            if rep.kind == "volume" or (rep.kind == "switcher" and d < (rep.switch_day or 0)):
                _working_day(rep, volume, day_start, end, r)
            else:
                _working_day(rep, skilled, day_start, end, r)
        rep.events.sort(key=lambda e: e[2])
    return World(seed=seed, start=start, days=days, reps=reps)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (ties get their mean rank)."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    vy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (vx * vy) if vx and vy else 0.0
