"""Share of voice: the declared brands' mentions and reach-weighted share, by platform and by day, with the
reps' amplification beside it. Pure: the rows come from services.api.outcome_repository.

- A mention counts for a declared brand when its ``data.brand`` equals the brand's name, ignoring case and
  surrounding spaces; mentions of other brands are counted apart (``undeclared``) and left out of the shares.
- share_of_voice = the brand's reach / the reach of all declared brands' mentions (in the period, on the
  platform or on the day); share_of_mentions the same with counts. None when there is nothing to share.
- Mentions are the tenant's (the market's conversation): ``team`` narrows only the amplification.
- Amplification: the reps' ``content.amplified`` events in the ledger, counted and summed by their quality,
  which is how the scoring model weighs reach (platform multiplier x log-scale reach multiplier, capped).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def _brand_rows(by_brand: dict[str, list[float]], names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per declared brand (zeros included), with the shares within this group."""
    mentions = sum(v[0] for v in by_brand.values())
    reach = sum(v[1] for v in by_brand.values())
    rows = []
    for key, name in names.items():
        m, r = by_brand.get(key, [0, 0.0])[:2]
        rows.append({"brand": name, "mentions": int(m), "reach": r, "share_of_mentions": _share(m, mentions),
                     "share_of_voice": _share(r, reach)})
    return rows


def report(period: str, team: str | None, own: str, competitors: list[str], mentions: list[dict[str, Any]],
           amplified: list[dict[str, Any]], reps_amplified: int) -> dict[str, Any]:
    names = {b.strip().lower(): b for b in (own, *competitors)}
    total: dict[str, list[float]] = {}
    platforms: dict[str, dict[str, list[float]]] = defaultdict(dict)
    days: dict[date, dict[str, list[float]]] = defaultdict(dict)
    undeclared = [0, 0.0]
    for row in mentions:
        key = str(row["brand"]).strip()
        if key not in names:
            undeclared[0] += row["mentions"]
            undeclared[1] += float(row["reach"])
            continue
        values = (row["mentions"], float(row["reach"]), float(row["sentiment_sum"] or 0), row["rated"])
        for group in (total.setdefault(key, [0, 0.0, 0.0, 0]), platforms[row["platform"]].setdefault(key, [0, 0.0]),
                      days[row["day"]].setdefault(key, [0, 0.0])):
            for i in range(len(group)):
                group[i] += values[i]
    brands = _brand_rows(total, names)
    for row, key in zip(brands, names):
        values = total.get(key, [0, 0.0, 0.0, 0])
        row["own"] = key == own.strip().lower()
        row["sentiment"] = round(values[2] / values[3], 4) if values[3] else None
    amp_platforms: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    amp_days: dict[date, list[float]] = defaultdict(lambda: [0, 0.0])
    for row in amplified:
        for group in (amp_platforms[row["platform"]], amp_days[row["day"]]):
            group[0] += row["amplifications"]
            group[1] += float(row["reach_weighted"])
    return {
        "period": period,
        "team": team,
        "mentions_scope": "tenant",
        "brands": brands,
        "by_platform": [{"platform": p, **row} for p in sorted(platforms)
                        for row in _brand_rows(platforms[p], names)],
        "by_day": [{"day": d.isoformat(), **row} for d in sorted(days) for row in _brand_rows(days[d], names)],
        "undeclared": {"mentions": int(undeclared[0]), "reach": undeclared[1]},
        "amplification": {
            "amplifications": int(sum(v[0] for v in amp_platforms.values())),
            "reach_weighted": round(sum(v[1] for v in amp_platforms.values()), 4),
            "reps": reps_amplified,
            "by_platform": [{"platform": p, "amplifications": int(v[0]), "reach_weighted": round(v[1], 4)}
                            for p, v in sorted(amp_platforms.items())],
            "by_day": [{"day": d.isoformat(), "amplifications": int(v[0]), "reach_weighted": round(v[1], 4)}
                       for d, v in sorted(amp_days.items())],
        },
    }
