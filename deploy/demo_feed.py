#!/usr/bin/env python3
"""Demo feed: realistic synthetic activity for 50 reps in 3 teams, sent through the ingest API like any client.

Each rep has a latent skill (0-1) that drives both the quality and amount of their activity (more of it, more
with decision makers) and their deals: the deal.won rate grows with skill, against the same quarterly quota for
every rep (quota.set per rep per quarter, the current and the previous one). Mentions of the demo's own brand
and two competitors arrive from a listening account, and the brands, the teams' and the tenant's targets are
declared through the api, so every screen has data.

First it backfills the last 30 days (so scores look lived-in at once), then it sends live activity every
second. Event ids are derived from the rep, day and draw, so a restart re-sends the same ids and the
scorer's idempotency keeps the scores unchanged.

    SSI_DEMO_API_KEY=... python deploy/demo_feed.py --ingest http://127.0.0.1:8001 --api http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import httpx

TEAMS = ("enterprise", "mid-market", "smb")
# (type, source platforms, expected per day for a strong rep)
ACTIVITY = [
    ("post.published", ("linkedin", "x", "facebook", "instagram"), 0.8),
    ("article.published", ("linkedin",), 0.1),
    ("video.published", ("youtube", "instagram"), 0.05),
    ("profile.updated", ("linkedin",), 0.02),
    ("follower.gained", ("linkedin", "x", "instagram", "youtube"), 3.0),
    ("engagement.received", ("linkedin", "x", "facebook", "instagram"), 8.0),
    ("search.performed", ("linkedin",), 3.0),
    ("profile.viewed", ("linkedin",), 6.0),
    ("lead.saved", ("linkedin", "hubspot"), 1.5),
    ("connection.requested", ("linkedin",), 3.0),
    ("content.shared", ("linkedin", "x"), 1.0),
    ("comment.posted", ("linkedin", "x", "facebook"), 2.0),
    ("reaction.given", ("linkedin", "x", "facebook", "instagram"), 6.0),
    ("content.amplified", ("linkedin", "x"), 0.5),
    ("connection.accepted", ("linkedin",), 1.5),
    ("message.sent", ("linkedin", "x"), 4.0),
    ("message.replied", ("linkedin", "x"), 2.0),
    ("meeting.booked", ("hubspot",), 0.3),
    ("call.completed", ("hubspot",), 1.0),
    ("email.replied", ("hubspot",), 2.0),
    ("opportunity.created", ("hubspot",), 0.1),
]
NAMESPACE = uuid.UUID("6f1c2b0e-8a51-4c39-9a5b-2f0f6f3c9a11")


OWN_BRAND = "Northwind"
COMPETITORS = ("Contoso", "Fabrikam")
# mentions per day across platforms, and the typical reach of one
MENTIONS = {"Northwind": (14.0, 4000), "Contoso": (20.0, 6000), "Fabrikam": (9.0, 3000)}
MENTION_SOURCES = ("x", "linkedin", "facebook", "instagram")
LISTENER = "brand-monitor"
QUOTA = 120_000.0
"""Every rep's quota per quarter (EUR)."""
DEALS_PER_DAY = 0.3
"""Deals won per day by the most skilled rep; the rate is proportional to skill."""
MILESTONES = [{"score": 70, "by": "2027-06-01"}, {"score": 80, "by": "2027-12-01"}]


def skills() -> dict[str, float]:
    """Each rep's latent skill in [0, 1), reproducible."""
    rng = random.Random(7)
    return {f"rep-{i:03d}": rng.random() for i in range(1, 51)}


def reps() -> list[tuple[str, str, float]]:
    """50 reps: (id, team, intensity): intensity grows with skill; the least skilled are nearly idle."""
    rng = random.Random(42)
    out = []
    for rep, skill in skills().items():
        intensity = rng.uniform(0, 0.05) if skill < 0.15 else 0.15 + 1.1 * skill
        out.append((rep, TEAMS[int(rep.split("-")[1]) % 3], intensity))
    return out


def quarter(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def quotas(rep: str, today: date, at: datetime) -> list[dict]:
    """quota.set for the current and the previous quarter, the same for every rep."""
    current = quarter(today)
    previous = quarter(current[0] - timedelta(days=1))
    out = []
    for first, last in (previous, current):
        period = f"{first.isoformat()}/{last.isoformat()}"
        out.append(_event(f"{rep}/quota/{period}", "salesforce", "quota.set", rep, at,
                          {"amount": QUOTA, "period": period, "currency": "EUR"}))
    return out


def _event(name: str, source: str, kind: str, subject: str, at: datetime, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid5(NAMESPACE, name)), "source": source, "type": kind,
            "subject": subject, "time": at.isoformat(), "datacontenttype": "application/json", "data": data}


def deals_for(rep: str, skill: float, start: datetime, seconds: float, tag: str, pace: float = 1.0) -> list[dict]:
    """CRM outcomes of one rep in [start, start+seconds): opportunities, and deals won (rate and size grow with
    skill) or lost."""
    rng = random.Random(f"{rep}/{tag}/crm")
    fraction = seconds / 86_400 * pace
    out = []
    for n in range(_poisson(rng, DEALS_PER_DAY * 3 * fraction)):
        at = start + timedelta(seconds=rng.uniform(0, seconds))
        out.append(_event(f"{rep}/{tag}/opportunity/{n}", "salesforce", "opportunity.created", rep, at,
                          {"amount": round(rng.uniform(5_000, 40_000), 2), "currency": "EUR"}))
    for n in range(_poisson(rng, DEALS_PER_DAY * fraction)):
        at = start + timedelta(seconds=rng.uniform(0, seconds))
        won = rng.random() < 0.15 + 0.8 * skill
        amount = round(rng.uniform(2_000, 8_000) * (0.6 + 0.8 * skill), 2)
        out.append(_event(f"{rep}/{tag}/deal/{n}", "salesforce", "deal.won" if won else "deal.lost", rep, at,
                          {"amount": amount, "currency": "EUR"}))
    return out


def mentions_for(start: datetime, seconds: float, tag: str, pace: float = 1.0) -> list[dict]:
    """Public mentions of the own brand and the two competitors in [start, start+seconds)."""
    rng = random.Random(f"mentions/{tag}")
    fraction = seconds / 86_400 * pace
    out = []
    for brand, (per_day, reach) in MENTIONS.items():
        for n in range(_poisson(rng, per_day * fraction)):
            at = start + timedelta(seconds=rng.uniform(0, seconds))
            sentiment = round(max(-1.0, min(1.0, rng.gauss(0.2 if brand == OWN_BRAND else 0.0, 0.5))), 2)
            out.append(_event(f"mention/{tag}/{brand}/{n}", rng.choice(MENTION_SOURCES), "mention.received",
                              LISTENER, at, {"brand": brand, "reach": int(rng.expovariate(1 / reach)),
                                             "sentiment": sentiment}))
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    count, threshold, p = 0, pow(2.718281828459045, -lam), 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return count
        count += 1


def events_for(rep: str, team: str, intensity: float, start: datetime, seconds: float, tag: str,
               skill: float = 0.5) -> list[dict]:
    """Activity of one rep in [start, start+seconds), drawn reproducibly from (rep, tag); the more skilled the
    rep, the more of it is with decision makers."""
    rng = random.Random(f"{rep}/{tag}")
    fraction = seconds / 86_400
    out = []
    for kind, sources, per_day in ACTIVITY:
        for n in range(_poisson(rng, per_day * intensity * fraction)):
            at = start + timedelta(seconds=rng.uniform(0, seconds))
            source = rng.choice(sources)
            decision_maker = rng.random() < 0.1 + 0.5 * skill
            out.append(
                {
                    "specversion": "1.0",
                    "id": str(uuid.uuid5(NAMESPACE, f"{rep}/{tag}/{kind}/{n}")),
                    "source": source,
                    "type": kind,
                    "subject": rep,
                    "time": at.isoformat(),
                    "datacontenttype": "application/json",
                    "data": {
                        "team": team,
                        "counterpart": {"id": f"p-{rng.randrange(10_000)}", "is_decision_maker": decision_maker,
                                        "followers": rng.randrange(50, 20_000)},
                    },
                }
            )
    return out


def register(api: httpx.Client, key: str) -> None:
    """Put the 50 reps in the directory (team and industry), so that the api can rank them."""
    for rep, team, _ in reps():
        number = int(rep.split("-")[1])
        body = {"name": f"Demo Rep {number}", "team": team, "industry": "software",
                "identities": {"linkedin": f"urn:li:person:demo{number}"}}
        response = api.put(f"/v1/reps/{rep}", json=body, headers={"Authorization": f"Bearer {key}"})
        if response.status_code not in (200, 201):
            raise SystemExit(f"api refused the demo directory: {response.status_code} {response.text[:300]}")
    declare(api, key)


def declare(api: httpx.Client, key: str) -> None:
    """Brands, and the tenant's and each team's targets. Targets are logged, not fatal, when the api does not
    have them (404) or refuses them: the rest of the demo still runs."""
    auth = {"Authorization": f"Bearer {key}"}
    response = api.put("/v1/brands", json={"own": OWN_BRAND, "competitors": list(COMPETITORS)}, headers=auth)
    if response.status_code not in (200, 201):
        print(f"brands not declared: {response.status_code} {response.text[:200]}", flush=True)
    for path in ["/v1/targets"] + [f"/v1/targets/{quote(team, safe='')}" for team in TEAMS]:
        response = api.put(path, json={"milestones": MILESTONES}, headers=auth)
        if response.status_code not in (200, 201):
            print(f"target not set: PUT {path} answered {response.status_code}; continuing", flush=True)


def set_targets(api: httpx.Client, key: str) -> None:
    """Targets as a programme runs them: the tenant's 40 within 3 months, then 55; the first team's own, higher."""
    today = datetime.now(UTC).date()
    by = lambda days: str(today + timedelta(days=days))  # noqa: E731
    headers = {"Authorization": f"Bearer {key}"}
    for path, milestones in (("/v1/targets", [(40, 90), (55, 270)]),
                             (f"/v1/targets/{quote(TEAMS[0], safe='')}", [(50, 60), (65, 180)])):
        response = api.put(path, json={"milestones": [{"score": s, "by": by(d)} for s, d in milestones]}, headers=headers)
        if response.status_code not in (200, 201):
            raise SystemExit(f"api refused the demo targets: {response.status_code} {response.text[:300]}")


def post(client: httpx.Client, key: str, batch: list[dict]) -> None:
    while True:
        try:
            response = client.post(
                "/v1/events",
                json=batch,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents-batch+json"},
            )
        except httpx.HTTPError as exc:
            print(f"ingest unreachable ({exc}); retrying", flush=True)
            time.sleep(2)
            continue
        if response.status_code == 202:
            return
        if response.status_code == 503:
            time.sleep(float(response.headers.get("retry-after", "2")))
            continue
        raise SystemExit(f"ingest refused a demo batch: {response.status_code} {response.text[:500]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingest", default="http://127.0.0.1:8001")
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--days", type=int, default=30, help="days of history to backfill")
    parser.add_argument("--once", action="store_true", help="backfill only, then exit")
    args = parser.parse_args()
    key = os.environ["SSI_DEMO_API_KEY"]
    team_of = reps()
    skill = skills()
    with httpx.Client(base_url=args.api, timeout=30) as api:
        register(api, key)
        set_targets(api, key)
    with httpx.Client(base_url=args.ingest, timeout=30) as client:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        sent = 0
        setup = [e for rep, _, _ in team_of for e in quotas(rep, today.date(), today - timedelta(days=args.days + 1))]
        post(client, key, setup)
        for back in range(args.days, 0, -1):
            day = today - timedelta(days=back)
            tag = day.date().isoformat()
            batch = [e for rep, team, k in team_of for e in events_for(rep, team, k, day, 86_400, tag, skill[rep])]
            batch += [e for rep, _, _ in team_of for e in deals_for(rep, skill[rep], day, 86_400, tag)]
            batch += mentions_for(day, 86_400, tag)
            for i in range(0, len(batch), 500):
                post(client, key, batch[i : i + 500])
            sent += len(batch)
        print(f"backfilled {sent} events over {args.days} days for {len(team_of)} reps", flush=True)
        if args.once:
            return
        open_quarter = quarter(today.date())
        while True:
            now = datetime.now(UTC)
            second = now.replace(microsecond=0)
            tag = second.isoformat()
            # live traffic runs 10x a normal day so that scores visibly move during a demo
            start = second - timedelta(seconds=1)
            batch = [e for rep, team, k in team_of for e in events_for(rep, team, k * 10, start, 1, tag, skill[rep])]
            batch += [e for rep, _, _ in team_of for e in deals_for(rep, skill[rep], start, 1, tag, pace=10)]
            batch += mentions_for(start, 1, tag, pace=10)
            if quarter(second.date()) != open_quarter:  # a new quarter: its quotas
                open_quarter = quarter(second.date())
                batch += [e for rep, _, _ in team_of for e in quotas(rep, second.date(), second)]
            if batch:
                post(client, key, batch)
            time.sleep(max(0.0, 1 - (datetime.now(UTC) - now).total_seconds()))


if __name__ == "__main__":
    main()
