"""The scale reads like LinkedIn's, and volume alone cannot buy a high score (numbers printed with -s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.scoring import RepState, apply_event, evaluate, load_default_model
from tests.scenarios import BALANCED_WEEK, GAMER_DAY, STEADY_WEEK, days_of, weeks_of

MODEL = load_default_model()
END = datetime(2026, 11, 20, 18, tzinfo=UTC)


def score(events: list[dict], at: datetime = END):  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, e in enumerate(events):
        state = apply_event(
            MODEL, state, event_type=e["type"], source=e["source"],
            event_time=datetime.fromisoformat(e["time"]).timestamp(), seq=seq, data=e["data"],
        )
    return evaluate(MODEL, state, at.timestamp())


def test_a_rep_doing_the_right_things_every_week_lands_between_60_and_80() -> None:
    steady = score(weeks_of("steady", STEADY_WEEK, 12, END))
    print(f"\nsteady 12 weeks: {steady.total} {steady.pillars}")
    assert 60 <= steady.total <= 80
    assert all(12 <= v <= 22 for v in steady.pillars.values())  # balanced across the four pillars


def test_a_rep_who_stops_trends_to_zero() -> None:
    events = weeks_of("stopped", STEADY_WEEK, 12, END)
    totals = [score(events, END + timedelta(weeks=w)).total for w in (0, 4, 12, 52)]
    print(f"\nafter stopping, weeks 0/4/12/52: {totals}")
    assert totals == sorted(totals, reverse=True)
    assert totals[2] < totals[0] / 2 and totals[3] < 2


def test_500_reactions_a_day_score_lower_than_a_balanced_week() -> None:
    gamer_week = score(days_of("gamer", GAMER_DAY, 7, END))
    gamer_quarter = score(days_of("gamer", GAMER_DAY, 90, END))
    balanced = score(weeks_of("balanced", BALANCED_WEEK, 1, END))
    print(f"\ngamer 7 days (3,500 reactions): {gamer_week.total} {gamer_week.pillars}")
    print(f"gamer 90 days (45,000 reactions): {gamer_quarter.total}")
    print(f"balanced week (23 activities): {balanced.total} {balanced.pillars}")
    assert gamer_week.total < balanced.total
    assert gamer_quarter.total <= 25  # one pillar at most, however long it goes on
    assert balanced.total > 2 * gamer_week.total
