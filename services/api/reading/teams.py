"""Teams: a tenant's teams and one team's aggregates, trend, movers and uplift.

- A **team** is a ``team`` name of the directory; its members are the directory reps of that team, a member
  without a score counting as 0. Its aggregates (size, mean, median, p90 of the total and of each pillar, 10-point
  bins) are the sink's ``team_stats``, as of ``as_of``.
- The **trend** is one point a day from ``team_daily``: the team's aggregates at the sink's last pass of that day
  (days before the sink first saw the team have none).
- A member's **score at the end of a day** is its last daily snapshot on or before that day evaluated at the
  day's end (decay included), or its current snapshot evaluated now for today; 0 without a snapshot.
- **Movers** over a period: members ordered by the change of that score from the end of the day before the
  period to the end of its last day; risers are the largest positive changes, fallers the largest negative.
- **Uplift** of a period against a baseline: the change of the team's mean score (total and per pillar) between
  the end of the baseline and the end of the period, and the change of scored activity per pillar and per
  platform, as event counts and as events per day (``uplift_percent`` compares the daily rates, so periods of
  different lengths compare; null when the baseline has none).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.api.reading import cursors, read_models, targets
from services.api.reading.periods import Period
from services.api.reading.snapshots import end_of_day, evaluate_snapshot
from shared.scoring import PILLARS, ScoringModel

CURSOR_CONTEXT = b"ssi-api teams cursor v1"
ZERO = {"total": 0.0, **dict.fromkeys(PILLARS, 0.0)}


def _stats_json(stats: dict) -> dict:
    return {
        "total": stats["total"],
        "pillars": {p: stats[p] for p in PILLARS},
        "bins": stats["bins"],
    }


def team_item(row: dict[str, Any], milestones: list[dict] | None, today: date) -> dict[str, Any]:
    """A team as the api answers it: aggregates, target progress of the mean total, share at each milestone."""
    stats = row["stats"]
    parsed = targets.from_json(milestones) if milestones else []
    return {
        "team": row["team"], "size": row["size"], "scored": row["scored"], **_stats_json(stats),
        "trend_per_day": row["trend_per_day"], "as_of": row["refreshed_at"],
        "target": targets.progress(parsed, stats["total"]["mean"], row["trend_per_day"], today) if parsed else None,
        "milestones": targets.shares_reached(parsed, row["totals"]),
    }


def _milestones(by_team: dict[str, list[dict]], team: str) -> list[dict] | None:
    return by_team.get(team) or by_team.get(read_models.TENANT_TARGET)


async def read_page(conn: AsyncConnection, *, secret: str, tenant_id: str, cursor: str | None, limit: int) -> dict:
    """One page of the tenant's teams in name order, and the cursor of the next (None on the last page). A walk
    lists every team that exists throughout it exactly once, whatever their scores do meanwhile."""
    binding = [tenant_id, "teams"]
    after = None
    if cursor is not None:
        after = cursors.unseal(secret, CURSOR_CONTEXT, binding, cursor)
        if not isinstance(after, str):
            raise cursors.InvalidCursor(cursor)
    rows = await read_models.teams_page(conn, tenant_id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    by_team = await read_models.tenant_targets(conn, tenant_id) if rows else {}
    today = datetime.now(UTC).date()
    return {
        "items": [team_item(r, _milestones(by_team, r["team"]), today) for r in rows],
        "next_cursor": cursors.seal(secret, CURSOR_CONTEXT, binding, rows[-1]["team"]) if more else None,
    }


async def scores_at_end_of(conn: AsyncConnection, model: ScoringModel, tenant_id: str, rep_ids: list[str],
                           day: date, now: datetime) -> dict[str, dict[str, float]]:
    """Each member's score (total and pillars) at the end of ``day`` (now, for today or later)."""
    if day >= now.date():
        rows, at = await read_models.current_snapshots(conn, tenant_id, rep_ids), now
    else:
        rows, at = await read_models.snapshots_on(conn, tenant_id, rep_ids, day), end_of_day(day, now)
    out = {}
    for rep_id in rep_ids:
        row = rows.get(rep_id)
        if row is None:
            out[rep_id] = dict(ZERO)
            continue
        score = evaluate_snapshot(model, row, at)
        out[rep_id] = {"total": score.total, **score.pillars}
    return out


async def movers(conn: AsyncConnection, model: ScoringModel, tenant_id: str, members: list[dict], period: Period,
                 now: datetime, limit: int) -> dict:
    ids = [m["rep_id"] for m in members]
    before = await scores_at_end_of(conn, model, tenant_id, ids, period.start - timedelta(days=1), now)
    after = await scores_at_end_of(conn, model, tenant_id, ids, period.end, now)
    names = {m["rep_id"]: m["name"] for m in members}
    changes = [{"rep_id": r, "name": names[r], "from": before[r]["total"], "to": after[r]["total"],
                "change": round(after[r]["total"] - before[r]["total"], 2)} for r in ids]
    risers = sorted((c for c in changes if c["change"] > 0), key=lambda c: (-c["change"], c["rep_id"]))[:limit]
    fallers = sorted((c for c in changes if c["change"] < 0), key=lambda c: (c["change"], c["rep_id"]))[:limit]
    return {"period": period.to_json(), "risers": risers, "fallers": fallers}


def _trend_point(row: dict[str, Any]) -> dict[str, Any]:
    stats = row["stats"]
    return {"day": row["day"], "size": row["size"], "mean": stats["total"]["mean"],
            "median": stats["total"]["median"], "p90": stats["total"]["p90"],
            "pillars": {p: stats[p]["mean"] for p in PILLARS}}


async def read_team(conn: AsyncConnection, *, model: ScoringModel, tenant_id: str, team: str, period: Period,
                    movers_limit: int, now: datetime) -> dict | None:
    row = await read_models.team(conn, tenant_id, team)
    if row is None:
        return None
    by_team = await read_models.tenant_targets(conn, tenant_id)
    members = await read_models.team_members(conn, tenant_id, team)
    trend = await read_models.team_trend(conn, tenant_id, team, period.start, period.end)
    return {
        **team_item(row, _milestones(by_team, team), now.date()),
        "period": period.to_json(),
        "trend": [_trend_point(t) for t in trend],
        "movers": await movers(conn, model, tenant_id, members, period, now, movers_limit),
    }


def _mean(scores: dict[str, dict[str, float]], key: str) -> float:
    return round(sum(s[key] for s in scores.values()) / len(scores), 2) if scores else 0.0


def _activity(counts: list[tuple[str, str, int]], index: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in counts:
        out[row[index]] = out.get(row[index], 0) + row[2]
    return out


def _compare(base: dict[str, int], now: dict[str, int], base_days: int, days: int) -> dict[str, dict]:
    out = {}
    for key in sorted(set(base) | set(now)):
        b, n = base.get(key, 0), now.get(key, 0)
        rate_b, rate_n = b / base_days, n / days
        out[key] = {"baseline": b, "period": n, "change": n - b,
                    "baseline_per_day": round(rate_b, 4), "period_per_day": round(rate_n, 4),
                    "uplift_percent": round(100.0 * (rate_n - rate_b) / rate_b, 1) if rate_b else None}
    return out


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def read_uplift(conn: AsyncConnection, *, model: ScoringModel, tenant_id: str, team: str, baseline: Period,
                      period: Period, now: datetime) -> dict | None:
    if await read_models.team(conn, tenant_id, team) is None:
        return None
    ids = [m["rep_id"] for m in await read_models.team_members(conn, tenant_id, team)]
    before = await scores_at_end_of(conn, model, tenant_id, ids, baseline.end, now)
    after = await scores_at_end_of(conn, model, tenant_id, ids, period.end, now)
    score = {}
    for key in ("total", *PILLARS):
        b, a = _mean(before, key), _mean(after, key)
        score[key] = {"baseline": b, "period": a, "change": round(a - b, 2)}
    counts_before = await read_models.activity_counts(
        conn, tenant_id, ids, model.version, _instant(baseline.start), _instant(baseline.end + timedelta(days=1)))
    counts_after = await read_models.activity_counts(
        conn, tenant_id, ids, model.version, _instant(period.start), _instant(period.end + timedelta(days=1)))
    return {
        "team": team, "size": len(ids), "baseline": baseline.to_json(), "period": period.to_json(),
        "score": {"total": score["total"], "pillars": {p: score[p] for p in PILLARS}},
        "activity": {
            "pillars": _compare(_activity(counts_before, 0), _activity(counts_after, 0), baseline.days, period.days),
            "platforms": _compare(_activity(counts_before, 1), _activity(counts_after, 1), baseline.days, period.days),
        },
    }
