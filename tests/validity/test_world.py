"""The synthetic world itself: deterministic, with the properties its docstring promises (pure, fast)."""

from __future__ import annotations

from collections import Counter

from tests.validity.world import build_world, spearman

WORLD = build_world(seed=7, size=40, days=28)


def _per_day(rep, kind: str) -> float:  # type: ignore[no-untyped-def]
    return sum(1 for e in rep.events if e[0] == kind) / 20  # 20 working days in 28


def test_the_same_seed_gives_the_same_world() -> None:
    again = build_world(seed=7, size=40, days=28)
    assert [(r.rep_id, r.skill, r.attainment, len(r.events)) for r in again.reps] == [
        (r.rep_id, r.skill, r.attainment, len(r.events)) for r in WORLD.reps
    ]
    assert [len(r.events) for r in build_world(seed=8, size=40, days=28).reps] != [len(r.events) for r in WORLD.reps]


def test_the_ceiling_is_skill_against_attainment_and_below_one() -> None:
    assert 0.5 < WORLD.ceiling < 0.99
    assert WORLD.ceiling == spearman([r.skill for r in WORLD.reps], [r.attainment for r in WORLD.reps])


def test_volume_players_do_what_the_essay_says() -> None:
    players = WORLD.of_kind("volume")
    ordinary = WORLD.of_kind("ordinary")
    assert len(players) == 5  # 12 % of 40
    for rep in players:
        assert _per_day(rep, "reaction.given") > 150
        assert _per_day(rep, "connection.requested") > 15
        accepted = _per_day(rep, "connection.accepted") / _per_day(rep, "connection.requested")
        assert accepted < 0.15
        kinds = Counter(e[3].get("counterpart", {}).get("seniority") for e in rep.events if e[0] == "connection.requested")
        assert kinds["entry"] + kinds["senior"] > 0.6 * sum(kinds.values())  # mostly junior people
    assert min(len(r.events) for r in players) > max(len(r.events) for r in ordinary)


def test_ordinary_volume_is_independent_of_skill() -> None:
    ordinary = build_world(seed=3, size=200, days=7).of_kind("ordinary")
    assert abs(spearman([r.volume for r in ordinary], [r.skill for r in ordinary])) < 0.2


def test_events_stay_inside_the_world_and_in_time_order() -> None:
    start, end = WORLD.start.timestamp(), WORLD.end.timestamp()
    for rep in WORLD.reps:
        times = [e[2] for e in rep.events]
        assert times == sorted(times)
        assert all(start <= t < end for t in times)
