"""The ledger's reading of a score agrees with the scorer's state, and explanations add up."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.scoring.ledger import LedgerRow, contributions, score_from_ledger, values_at
from shared.scoring import PILLARS, RepState, apply_event, contribution, evaluate, load_default_model, pillar_values

MODEL = load_default_model()
DAY = 86_400.0
NOW = 1_800_000_000.0
TYPES = sorted(MODEL.activities)

events_strategy = st.lists(
    st.tuples(st.sampled_from(TYPES), st.sampled_from(["linkedin", "x", "hubspot"]),
              st.floats(min_value=NOW - 30 * DAY, max_value=NOW)),
    min_size=1, max_size=50,
)


def ledger_rows(events) -> list[LedgerRow]:  # type: ignore[no-untyped-def]
    sums: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0])
    for kind, source, at in events:
        c = contribution(MODEL, event_type=kind, source=source, event_time=at, data={})
        acc = sums[(c.day, kind, source)]
        acc[0] += c.quality
        acc[1] += c.decayed
        acc[2] += 1
    return [LedgerRow(d, k, s, q, dec, n) for (d, k, s), (q, dec, n) in sums.items()]


def state_of(events) -> RepState:  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, (kind, source, at) in enumerate(events):
        state = apply_event(MODEL, state, event_type=kind, source=source, event_time=at, seq=seq)
    return state


@settings(max_examples=150, deadline=None)
@given(events_strategy)
def test_the_ledger_reads_the_same_values_as_the_live_state(events) -> None:  # type: ignore[no-untyped-def]
    live, ledger = pillar_values(MODEL, state_of(events), NOW), values_at(MODEL, ledger_rows(events), NOW)
    for p in PILLARS:
        assert ledger[p] == pytest.approx(live[p], rel=1e-9, abs=1e-9)
    assert score_from_ledger(MODEL, ledger_rows(events), NOW) == evaluate(MODEL, state_of(events), NOW)


@settings(max_examples=150, deadline=None)
@given(events_strategy)
def test_contributions_add_up_to_the_pillar_points(events) -> None:  # type: ignore[no-untyped-def]
    rows = ledger_rows(events)
    score = score_from_ledger(MODEL, rows, NOW)
    listed = contributions(MODEL, rows, NOW, since_day=0, pillar_points=score.pillars)
    assert sum(c.events for c in listed) == len(events)
    for p in PILLARS:
        assert sum(c.points for c in listed if c.pillar == p) == pytest.approx(score.pillars[p], abs=0.01 * len(listed) + 1e-9)


def test_contributions_name_platform_and_type_largest_first() -> None:
    rng = random.Random(3)
    events = [("meeting.booked", "hubspot", NOW - rng.uniform(0, 5 * DAY)) for _ in range(3)]
    events += [("reaction.given", "linkedin", NOW - rng.uniform(0, 5 * DAY)) for _ in range(40)]
    rows = ledger_rows(events)
    listed = contributions(MODEL, rows, NOW, since_day=0, pillar_points=score_from_ledger(MODEL, rows, NOW).pillars)
    assert [c.points for c in listed] == sorted((c.points for c in listed), reverse=True)
    assert {(c.source, c.type) for c in listed} == {("hubspot", "meeting.booked"), ("linkedin", "reaction.given")}
