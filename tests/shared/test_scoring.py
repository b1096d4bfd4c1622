import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.scoring import PILLARS, RepState, Unscorable, apply_event, evaluate, load_default_model
from shared.scoring.model import ModelFileError, load_model

MODEL = load_default_model()
DAY = 86_400.0
NOW = 1_800_000_000.0
TYPES = sorted(MODEL.activities)

events_strategy = st.lists(
    st.tuples(st.sampled_from(TYPES), st.floats(min_value=NOW - 60 * DAY, max_value=NOW)), min_size=0, max_size=60
)


def fold(events: list[tuple[str, float]]) -> RepState:
    state = RepState()
    for seq, (kind, at) in enumerate(events):
        state = apply_event(MODEL, state, event_type=kind, source="linkedin", event_time=at, seq=seq)
    return state


def decayed_values(state: RepState, at: float) -> dict[str, float]:
    half = {p: MODEL.pillars[p].half_life_days * DAY for p in PILLARS}
    return {p: state.values[p] * 2 ** (-(at - state.anchor) / half[p]) for p in PILLARS}


@settings(max_examples=200)
@given(events_strategy, st.randoms(use_true_random=False))
def test_order_does_not_matter(events: list[tuple[str, float]], rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    a, b = decayed_values(fold(events), NOW), decayed_values(fold(shuffled), NOW)
    for p in PILLARS:
        assert a[p] == pytest.approx(b[p], rel=1e-9, abs=1e-9)


@given(events_strategy)
def test_pillars_are_bounded_and_total_is_their_sum(events: list[tuple[str, float]]) -> None:
    score = evaluate(MODEL, fold(events), NOW)
    assert all(0.0 <= v <= 25.0 for v in score.pillars.values())
    assert 0.0 <= score.total <= 100.0
    assert score.total == pytest.approx(sum(score.pillars.values()), abs=1e-9)


@given(events_strategy, st.sampled_from(TYPES), st.floats(min_value=NOW - 60 * DAY, max_value=NOW))
def test_adding_an_event_never_lowers_the_score(events, kind, at) -> None:  # type: ignore[no-untyped-def]
    before = evaluate(MODEL, fold(events), NOW)
    after = evaluate(MODEL, fold([*events, (kind, at)]), NOW)
    assert all(after.pillars[p] >= before.pillars[p] for p in PILLARS)


def test_without_events_the_score_decays_toward_zero() -> None:
    state = fold([(k, NOW) for k in TYPES] * 50)
    totals = [evaluate(MODEL, state, NOW + d * DAY).total for d in (0, 14, 60, 365)]
    assert totals == sorted(totals, reverse=True)
    assert totals[0] > 40
    assert totals[-1] < 0.01


def test_a_fresh_rep_scores_zero() -> None:
    score = evaluate(MODEL, RepState(), NOW)
    assert score.total == 0 and set(score.pillars) == set(PILLARS)


def test_one_post_adds_its_weight_to_brand() -> None:
    state = fold([("post.published", NOW)])
    assert state.values["brand"] == MODEL.activities["post.published"].weight
    expected = 25 * (1 - math.exp(-state.values["brand"] / MODEL.pillars["brand"].scale))
    assert evaluate(MODEL, state, NOW).pillars["brand"] == round(expected, 2)


def test_unknown_types_and_outcomes_are_not_scored() -> None:
    with pytest.raises(Unscorable, match="not in scoring model"):
        apply_event(MODEL, RepState(), event_type="telepathy.used", source="x", event_time=NOW, seq=0)
    with pytest.raises(Unscorable, match="outcome"):
        apply_event(MODEL, RepState(), event_type="deal.won", source="hubspot", event_time=NOW, seq=0)


def test_state_round_trips_through_json() -> None:
    state = fold([("post.published", NOW), ("meeting.booked", NOW - DAY)])
    assert RepState.from_json(state.to_json()) == state


def test_a_broken_model_file_is_refused_with_its_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.toml"
    path.write_text('version = "x"\n[pillars.brand]\nhalf_life_days = 14\nscale = 1\n[activities]\n')
    with pytest.raises(ModelFileError, match="pillars missing"):
        load_model(path)
    path.write_text("not toml [")
    with pytest.raises(ModelFileError):
        load_model(path)
