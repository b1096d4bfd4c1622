"""The scale reads like LinkedIn's, and volume alone cannot buy a high score (numbers printed with -s), for each
packaged model version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.scoring import RepState, apply_event, evaluate, load_packaged_model
from shared.scoring.state import rate_readings
from tests.scenarios import BALANCED_WEEK, GAMER_DAY, STEADY_WEEK, days_of, weeks_of

V2 = load_packaged_model("ssi-v2.toml")
V3 = load_packaged_model("ssi-v3.toml")
MODELS = pytest.mark.parametrize("model", [V2, V3], ids=lambda m: m.version)
END = datetime(2026, 11, 20, 18, tzinfo=UTC)


def state_of(model, events: list[dict]) -> RepState:  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, e in enumerate(events):
        apply_event(
            model, state, event_type=e["type"], source=e["source"],
            event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq, data=e["data"],
        )
    return state


def score(model, events: list[dict], at: datetime = END):  # type: ignore[no-untyped-def]
    return evaluate(model, state_of(model, events), at.timestamp())


@MODELS
def test_a_rep_doing_the_right_things_every_week_lands_between_60_and_80(model) -> None:  # type: ignore[no-untyped-def]
    events = weeks_of("steady", STEADY_WEEK, 12, END)
    steady = score(model, events)
    print(f"\n{model.version} steady 12 weeks: {steady.total} {steady.pillars}")
    for reading in rate_readings(model, state_of(model, events), END.timestamp()):
        print(f"  {reading.line()}")
    assert 60 <= steady.total <= 80
    assert all(12 <= v <= 22 for v in steady.pillars.values())  # balanced across the four pillars


@MODELS
def test_a_rep_who_stops_trends_to_zero(model) -> None:  # type: ignore[no-untyped-def]
    events = weeks_of("stopped", STEADY_WEEK, 12, END)
    totals = [score(model, events, END + timedelta(weeks=w)).total for w in (0, 4, 12, 52)]
    print(f"\n{model.version} after stopping, weeks 0/4/12/52: {totals}")
    assert totals == sorted(totals, reverse=True)
    assert totals[2] < totals[0] / 2 and totals[3] < 2


@MODELS
def test_500_reactions_a_day_score_lower_than_a_balanced_week(model) -> None:  # type: ignore[no-untyped-def]
    gamer_week = score(model, days_of("gamer", GAMER_DAY, 7, END))
    gamer_quarter = score(model, days_of("gamer", GAMER_DAY, 90, END))
    balanced = score(model, weeks_of("balanced", BALANCED_WEEK, 1, END))
    print(f"\n{model.version} gamer 7 days (3,500 reactions): {gamer_week.total} {gamer_week.pillars}")
    print(f"{model.version} gamer 90 days (45,000 reactions): {gamer_quarter.total}")
    print(f"{model.version} balanced week (23 activities): {balanced.total} {balanced.pillars}")
    assert gamer_week.total < balanced.total
    assert gamer_quarter.total <= 25  # one pillar at most, however long it goes on
    assert balanced.total > 2 * gamer_week.total
