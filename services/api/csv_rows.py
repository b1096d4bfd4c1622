"""The rows a CSV answer holds for the routes whose JSON is not a plain list of items: one row per figure, with
named columns saying which figure it is (``services.api.csv_export`` then flattens and writes them). Pure.

- uplift: one row per score figure (``kind`` score, ``name`` total or a pillar) and per activity count
  (``kind`` activity_pillar or activity_platform);
- validation: one row per cohort (the tenant, each team) and measure (``basis`` score or activity_counts,
  ``measure`` total, all or a pillar), the cohort's n and attainment beside; a withheld cohort is one row;
- share of voice: one row per brand and scope (``scope`` period, platform or day), then the amplification
  (``scope`` amplification, amplification_platform, amplification_day) and the undeclared mentions;
- a team's movers: one row per rep (``direction`` riser or faller).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def uplift_rows(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    head = {"team": body["team"], "size": body["size"],
            "baseline_from": body["baseline"]["from"], "baseline_to": body["baseline"]["to"],
            "period_from": body["period"]["from"], "period_to": body["period"]["to"]}
    rows = [{**head, "kind": "score", "name": "total", **_renamed(body["score"]["total"])}]
    rows += [{**head, "kind": "score", "name": p, **_renamed(c)} for p, c in body["score"]["pillars"].items()]
    for kind in ("pillars", "platforms"):
        rows += [{**head, "kind": f"activity_{kind[:-1]}", "name": name, **_renamed(c)}
                 for name, c in body["activity"][kind].items()]
    return rows


def _renamed(change: Mapping[str, Any]) -> dict[str, Any]:
    """A change's ``baseline``/``period`` values as ``baseline_value``/``period_value`` (beside the periods'
    dates)."""
    return {f"{k}_value" if k in ("baseline", "period") else k: v for k, v in change.items()}


def validation_rows(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for cohort in [{"team": None, **body["tenant"]}, *body["teams"]]:
        head = {"period": body["period"], "cohort": "tenant" if cohort["team"] is None else "team",
                "team": cohort["team"], "cohort_n": cohort["n"], "cohort_withheld": cohort["withheld"],
                "attainment_median": cohort["attainment_median"]}
        measures = [(basis, name, corr) for basis in ("score", "activity_counts")
                    for name, corr in (cohort.get(basis) or {}).items()]
        if not measures:
            rows.append(head)
        for basis, name, corr in measures:
            interval = corr.get("interval") or [None, None]
            rows.append({**head, "basis": basis, "measure": name, "n": corr["n"], "rho": corr["rho"],
                         "interval_low": interval[0], "interval_high": interval[1], "withheld": corr["withheld"]})
    return rows


def share_of_voice_rows(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    head = {"period": body["period"], "team": body["team"]}
    rows = [{**head, "scope": "period", "platform": None, "day": None, **b} for b in body["brands"]]
    rows += [{**head, "scope": "platform", "day": None, **b} for b in body["by_platform"]]
    rows += [{**head, "scope": "day", "platform": None, **b} for b in body["by_day"]]
    undeclared = body.get("undeclared")
    if undeclared:
        rows.append({**head, "scope": "undeclared", "platform": None, "day": None, "brand": None, **undeclared})
    amp = body.get("amplification")
    if amp:
        rows.append({**head, "scope": "amplification", "platform": None, "day": None,
                     **{k: v for k, v in amp.items() if k not in ("by_platform", "by_day")}})
        rows += [{**head, "scope": "amplification_platform", "day": None, **a} for a in amp["by_platform"]]
        rows += [{**head, "scope": "amplification_day", "platform": None, **a} for a in amp["by_day"]]
    return rows


def mover_rows(team: str, movers: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"team": team, "direction": direction[:-1], **m}
            for direction in ("risers", "fallers") for m in movers[direction]]
