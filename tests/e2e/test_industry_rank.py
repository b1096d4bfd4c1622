"""The industry rank across tenants: only other tenants' scored reps count, at least 10 of them from at least
3 other tenants, rounded down to 5 points. A tenant padding the industry with free directory entries (and
with scored reps of its own) learns nothing and shifts nothing."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.helpers import ranked_after, wait_for_score
from tests.e2e.test_scoring_model import post
from tests.factories import bearer, cloud_event


async def add_scored(ingest, api, tenant: dict, rep: str, industry: str, comments: int) -> None:  # type: ignore[no-untyped-def]
    put = await api.put(f"/v1/reps/{rep}", json={"industry": industry}, headers=bearer(tenant["api_key"]))
    assert put.status_code in (200, 201), put.text
    now = datetime.now(UTC)
    await post(ingest, tenant["api_key"], [cloud_event(rep, "comment.posted", time=now - timedelta(hours=h + 1))
                                           for h in range(comments)])


async def industry_rank(api, tenant: dict, rep: str) -> dict:  # type: ignore[no-untyped-def]
    """The rep's industry rank as counted after every change made so far (the sink's read-model pass)."""
    return (await ranked_after(api, tenant["api_key"], rep, datetime.now(UTC)))["ranks"]["industry"]


async def test_padding_the_industry_teaches_nothing_and_shifts_nothing(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    industry = f"padding-{uuid.uuid4().hex[:8]}"
    attacker, b, c, d = (tenant_factory(label) for label in ("pad-a", "pad-b", "pad-c", "pad-d"))
    others = [(b, f"b-{i}", 1 + i) for i in range(6)] + [(c, f"c-{i}", 2 + 2 * i) for i in range(3)]
    for tenant, rep, comments in others:
        await add_scored(ingest, api, tenant, rep, industry, comments)
    await add_scored(ingest, api, attacker, "me", industry, 5)
    for i in range(5):  # the attacker's own scored reps, and free directory entries
        await add_scored(ingest, api, attacker, f"mine-{i}", industry, 1 + 3 * i)
    for i in range(40):
        assert (await api.put(f"/v1/reps/pad-{i}", json={"industry": industry},
                              headers=bearer(attacker["api_key"]))).status_code == 201
    for tenant, rep, comments in [*others, (attacker, "me", 5)] + [(attacker, f"mine-{i}", 1 + 3 * i) for i in range(5)]:
        await wait_for_score(api, tenant["api_key"], rep, comments)

    # 9 scored reps of 2 other tenants: withheld, however many the attacker adds of its own
    withheld = await industry_rank(api, attacker, "me")
    assert withheld["percentile"] is None and "at least 3 other tenants" in withheld["withheld"]
    await add_scored(ingest, api, c, "c-3", industry, 7)
    await wait_for_score(api, c["api_key"], "c-3", 7)
    assert (await industry_rank(api, attacker, "me"))["percentile"] is None  # 10 reps, still 2 tenants
    await add_scored(ingest, api, d, "d-0", industry, 3)
    await wait_for_score(api, d["api_key"], "d-0", 3)

    # 11 scored reps of 3 other tenants: shown, against them only, in steps of 5
    totals = []
    for tenant, rep in [(t, r) for t, r, _ in others] + [(c, "c-3"), (d, "d-0")]:
        totals.append((await api.get(f"/v1/reps/{rep}/score", headers=bearer(tenant["api_key"]))).json()["total"])
    mine = (await api.get("/v1/reps/me/score", headers=bearer(attacker["api_key"]))).json()["total"]
    expected = 5 * math.floor(100 * sum(t < mine for t in totals) / len(totals) / 5)
    shown = await industry_rank(api, attacker, "me")
    assert shown == {"percentile": expected, "withheld": None}
    seen_by_b = await industry_rank(api, b, "b-5")
    assert seen_by_b["percentile"] is not None and seen_by_b["percentile"] % 5 == 0

    # more free entries: nothing moves, for the attacker or for the others (unscored reps never count)
    for i in range(40, 80):
        await api.put(f"/v1/reps/pad-{i}", json={"industry": industry.upper()}, headers=bearer(attacker["api_key"]))
    assert await industry_rank(api, attacker, "me") == shown
    assert await industry_rank(api, b, "b-5") == seen_by_b
    # a scored rep of its own does not move the attacker's rank either (its own reps are not its cohort)
    await add_scored(ingest, api, attacker, "mine-top", industry, 30)
    await wait_for_score(api, attacker["api_key"], "mine-top", 30)
    assert await industry_rank(api, attacker, "me") == shown
