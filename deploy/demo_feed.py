#!/usr/bin/env python3
"""Demo feed: realistic synthetic activity for 50 reps in 3 teams, sent through the ingest API like any client.

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
from datetime import UTC, datetime, timedelta
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


def reps() -> list[tuple[str, str, float]]:
    """50 reps: (id, team, intensity): a few strong, most average, some idle."""
    rng = random.Random(42)
    out = []
    for i in range(1, 51):
        kind = rng.choices(["strong", "average", "idle"], weights=[2, 5, 3])[0]
        intensity = {"strong": rng.uniform(0.8, 1.3), "average": rng.uniform(0.25, 0.6), "idle": rng.uniform(0, 0.05)}[kind]
        out.append((f"rep-{i:03d}", TEAMS[i % 3], intensity))
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    count, threshold, p = 0, pow(2.718281828459045, -lam), 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return count
        count += 1


def events_for(rep: str, team: str, intensity: float, start: datetime, seconds: float, tag: str) -> list[dict]:
    """Activity of one rep in [start, start+seconds), drawn reproducibly from (rep, tag)."""
    rng = random.Random(f"{rep}/{tag}")
    fraction = seconds / 86_400
    out = []
    for kind, sources, per_day in ACTIVITY:
        for n in range(_poisson(rng, per_day * intensity * fraction)):
            at = start + timedelta(seconds=rng.uniform(0, seconds))
            source = rng.choice(sources)
            decision_maker = rng.random() < 0.3
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
                        "counterpart": {"id": f"p-{rng.randrange(10_000)}", "is_decision_maker": decision_maker},
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
    with httpx.Client(base_url=args.api, timeout=30) as api:
        register(api, key)
        set_targets(api, key)
    with httpx.Client(base_url=args.ingest, timeout=30) as client:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        sent = 0
        for back in range(args.days, 0, -1):
            day = today - timedelta(days=back)
            batch = [e for rep, team, k in team_of for e in events_for(rep, team, k, day, 86_400, day.date().isoformat())]
            for i in range(0, len(batch), 500):
                post(client, key, batch[i : i + 500])
            sent += len(batch)
        print(f"backfilled {sent} events over {args.days} days for {len(team_of)} reps", flush=True)
        if args.once:
            return
        while True:
            now = datetime.now(UTC)
            second = now.replace(microsecond=0)
            tag = second.isoformat()
            # live traffic runs 10x a normal day so that scores visibly move during a demo
            batch = [e for rep, team, k in team_of for e in events_for(rep, team, k * 10, second - timedelta(seconds=1), 1, tag)]
            if batch:
                post(client, key, batch)
            time.sleep(max(0.0, 1 - (datetime.now(UTC) - now).total_seconds()))


if __name__ == "__main__":
    main()
