"""Exact properties of the pure scoring code, proved with hypothesis on the packaged model."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.scoring import (
    PILLARS,
    Basis,
    RepState,
    Unscorable,
    apply_event,
    evaluate,
    load_default_model,
    pillar_values,
)
from shared.scoring.model import ModelFileError, load_model, load_packaged_model

MODEL = load_packaged_model("ssi-v2.toml")  # ssi-v3 has its own file: test_scoring_v3.py
DAY = 86_400.0
NOW = 1_800_000_000.0
TYPES = sorted(MODEL.activities)
SOURCES = ["linkedin", "x", "facebook", "instagram", "youtube", "tiktok", "hubspot", "some-crm"]
WINDOW = MODEL.late_window_days * DAY

data_strategy = st.fixed_dictionaries(
    {},
    optional={
        "reach": st.one_of(st.integers(0, 10**7), st.text(max_size=3)),
        "counterpart": st.fixed_dictionaries(
            {},
            optional={
                "is_decision_maker": st.booleans(),
                "seniority": st.sampled_from(["entry", "vp", "CXO", "unknown"]),
                "followers": st.one_of(st.integers(0, 10**8), st.none()),
            },
        ),
    },
)
# events within the late window of each other: the case in which the model is exactly order-free
event_strategy = st.tuples(
    st.sampled_from(TYPES),
    st.sampled_from(SOURCES),
    st.floats(min_value=NOW - WINDOW + DAY, max_value=NOW),
    data_strategy,
)
events_strategy = st.lists(event_strategy, max_size=60)


def fold(events) -> RepState:  # type: ignore[no-untyped-def]
    state = RepState()
    for seq, (kind, source, at, data) in enumerate(events):
        state = apply_event(MODEL, state, event_type=kind, source=source, event_time=at, seq=seq, data=data)
    return state


@settings(max_examples=300, deadline=None)
@given(events_strategy, st.randoms(use_true_random=False))
def test_the_same_events_in_any_order_give_the_same_values(events, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(events)
    rnd.shuffle(shuffled)
    a, b = pillar_values(MODEL, fold(events), NOW), pillar_values(MODEL, fold(shuffled), NOW)
    for p in PILLARS:
        assert a[p] == pytest.approx(b[p], rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(events_strategy)
def test_pillars_are_bounded_and_total_is_their_sum(events) -> None:  # type: ignore[no-untyped-def]
    score = evaluate(MODEL, fold(events), NOW)
    assert all(0.0 <= v <= 25.0 for v in score.pillars.values())
    assert 0.0 <= score.total <= 100.0
    assert score.total == pytest.approx(sum(score.pillars.values()), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(events_strategy, event_strategy)
def test_adding_an_event_never_lowers_the_score_at_the_same_instant(events, extra) -> None:  # type: ignore[no-untyped-def]
    before = pillar_values(MODEL, fold(events), NOW)
    after = pillar_values(MODEL, fold([*events, extra]), NOW)
    assert all(after[p] >= before[p] * (1 - 1e-12) for p in PILLARS)
    assert evaluate(MODEL, fold([*events, extra]), NOW).total >= evaluate(MODEL, fold(events), NOW).total


@settings(max_examples=100, deadline=None)
@given(st.lists(event_strategy, min_size=1, max_size=30))
def test_with_no_events_the_score_decays_toward_zero(events) -> None:  # type: ignore[no-untyped-def]
    state = fold(events)
    totals = [evaluate(MODEL, state, NOW + d * DAY).total for d in (0, 30, 120, 400, 1500)]
    assert totals == sorted(totals, reverse=True)
    assert totals[-1] < 0.01


@settings(max_examples=100, deadline=None)
@given(events_strategy, st.floats(min_value=1 * 3600, max_value=20 * DAY))
def test_a_late_event_counts_at_its_own_time(events, lateness) -> None:  # type: ignore[no-untyped-def]
    """Scoring an event late gives what it would have given on time: its own time decides its decay."""
    late = ("meeting.booked", "hubspot", NOW - lateness, {})
    on_time = fold([late, *events])
    arrived_late = fold([*events, late])
    for p in PILLARS:
        assert pillar_values(MODEL, arrived_late, NOW)[p] == pytest.approx(
            pillar_values(MODEL, on_time, NOW)[p], rel=1e-9, abs=1e-9
        )


def test_returns_saturate_within_a_day() -> None:
    def insights(n: int) -> float:
        return pillar_values(MODEL, fold([("reaction.given", "linkedin", NOW - i, {}) for i in range(n)]), NOW)["insights"]

    first, tenth, two_hundredth = insights(1), insights(10) - insights(9), insights(200) - insights(199)
    assert two_hundredth < first / 1000
    assert tenth < first


def test_decision_makers_reach_and_two_way_activity_weigh_more() -> None:
    def value(kind: str, data: dict, source: str = "linkedin") -> float:
        state = fold([(kind, source, NOW, data)])
        return pillar_values(MODEL, state, NOW)[MODEL.activities[kind].pillar]

    dm = {"counterpart": {"is_decision_maker": True}}
    assert value("comment.posted", dm) > value("comment.posted", {})
    assert value("connection.accepted", {"counterpart": {"seniority": "vp"}}) > value("connection.accepted", {})
    big, small = {"counterpart": {"followers": 1_000_000}}, {"counterpart": {"followers": 100}}
    assert value("content.amplified", big) > 2 * value("content.amplified", small)
    assert value("content.amplified", {"counterpart": {"followers": 10**12}}) <= MODEL.quality.reach_max * value(
        "content.amplified", {}
    ) + 1e-9  # log scale, capped
    assert value("message.replied", {}) > value("message.sent", {})  # two-way over one-way
    assert value("post.published", {}, "linkedin") > value("post.published", {}, "tiktok")


def test_bad_quality_hints_are_ignored_not_fatal() -> None:
    weird = {"reach": "lots", "counterpart": {"followers": float("nan"), "seniority": 3, "is_decision_maker": "yes"}}
    assert fold([("post.published", "linkedin", NOW, weird)]) == fold([("post.published", "linkedin", NOW, {})])


def test_state_stays_bounded_however_many_events() -> None:
    events = [(TYPES[i % len(TYPES)], "linkedin", NOW - (i % 400) * DAY / 4, {}) for i in range(20_000)]
    state = fold(sorted(events, key=lambda e: e[2]))
    assert state.bucket_count <= (MODEL.late_window_days + 1) * len(TYPES)
    assert len(state.to_bytes()) <= 40 + 8 * len(PILLARS) + 21 * (MODEL.late_window_days + 1) * len(TYPES)


def test_unknown_types_and_outcomes_are_not_scored() -> None:
    with pytest.raises(Unscorable, match="not in scoring model"):
        apply_event(MODEL, RepState(), event_type="telepathy.used", source="x", event_time=NOW, seq=0)
    with pytest.raises(Unscorable, match="outcome"):
        apply_event(MODEL, RepState(), event_type="deal.won", source="hubspot", event_time=NOW, seq=0)


def test_state_round_trips_through_its_encoding() -> None:
    state = fold([("post.published", "linkedin", NOW, {}), ("meeting.booked", "hubspot", NOW - DAY, {})])
    assert RepState.from_bytes(state.to_bytes()) == state
    assert RepState.from_bytes(b"") == RepState()


@settings(max_examples=100, deadline=None)
@given(events_strategy, st.floats(min_value=0, max_value=400 * DAY))
def test_the_basis_reads_the_same_score_as_the_state(events, later) -> None:  # type: ignore[no-untyped-def]
    """The snapshot carries only the basis (term values at the anchor): it must read what the state reads."""
    state = fold(events)
    basis = Basis.from_json(state.basis(MODEL).to_json())
    assert evaluate(MODEL, basis, NOW + later) == evaluate(MODEL, state, NOW + later)


def test_an_event_later_than_the_window_is_scored_on_its_own_and_order_then_matters() -> None:
    """The exactness limit, pinned: an event whose day is more than late_window_days before the rep's newest
    event is not saturated with the other events of its day."""
    day_start = math.floor((NOW - 60 * DAY) / DAY) * DAY
    old_day = [("reaction.given", "linkedin", day_start + 3600 + i, {}) for i in range(40)]
    recent = [("post.published", "linkedin", NOW, {})]
    on_time = pillar_values(MODEL, fold([*old_day, *recent]), NOW)
    late = pillar_values(MODEL, fold([*recent, *old_day]), NOW)
    assert late["insights"] > on_time["insights"] * 1.5  # 40 reactions each scored alone: no saturation
    assert late["brand"] == pytest.approx(on_time["brand"], rel=1e-12)
    # at the edge of the window the event is still exact
    edge = math.floor(NOW / DAY) - MODEL.late_window_days
    inside = [("reaction.given", "linkedin", edge * DAY + 60 + i, {}) for i in range(40)]
    a = pillar_values(MODEL, fold([*inside, *recent]), NOW)
    b = pillar_values(MODEL, fold([*recent, *inside]), NOW)
    assert a["insights"] == pytest.approx(b["insights"], rel=1e-9)


def test_work_per_event_does_not_depend_on_history() -> None:
    """Constant work: applying an event touches one bucket and the terms, whatever the rep's history."""
    from shared.scoring import state as state_module

    calls = {"n": 0}
    original = state_module._value

    def counting(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return original(*args)

    history = fold([(TYPES[i % len(TYPES)], "linkedin", NOW - 34 * DAY + i * 600, {}) for i in range(5000)])
    state_module._value = counting
    try:
        apply_event(MODEL, history, event_type="post.published", source="linkedin", event_time=NOW + 1, seq=10**6)
    finally:
        state_module._value = original
    assert history.bucket_count > 300
    assert calls["n"] <= 2


def test_the_design_vocabulary_is_all_in_the_model() -> None:
    vocabulary = {
        "brand": ["post.published", "article.published", "video.published", "profile.updated", "follower.gained",
                  "engagement.received"],
        "people": ["search.performed", "profile.viewed", "lead.saved", "connection.requested"],
        "insights": ["content.shared", "comment.posted", "reaction.given", "content.amplified"],
        "relationships": ["connection.accepted", "message.sent", "message.replied", "meeting.booked",
                          "call.completed", "email.replied"],
    }
    for pillar, types in vocabulary.items():
        for kind in types:
            assert MODEL.activities[kind].pillar == pillar
    assert {"opportunity.created", "deal.won", "deal.lost", "quota.set"} <= set(MODEL.outcomes)
    for platform in ("linkedin", "x", "facebook", "instagram", "youtube", "tiktok", "hubspot", "salesforce"):
        assert platform in MODEL.platforms
    assert load_packaged_model("skeleton-v1.toml").version == "skeleton-v1"


def test_a_broken_model_file_is_refused_with_its_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.toml"
    path.write_text('version = "x"\n[pillars.brand]\nhalf_life_days = 14\nscale = 1\n[activities]\n')
    with pytest.raises(ModelFileError, match="pillars missing"):
        load_model(path)
    path.write_text("not toml [")
    with pytest.raises(ModelFileError):
        load_model(path)


def test_the_idle_horizon_and_the_state_header() -> None:
    from shared.scoring.state import idle_after_seconds, peek

    state = fold([("post.published", "linkedin", NOW, {})])
    state.partition = 7
    assert peek(state.to_bytes()) == (NOW, 7)
    assert idle_after_seconds(MODEL) == 12 * 28 * DAY  # relationships decay slowest (28 days)
    later = NOW + idle_after_seconds(MODEL)
    assert evaluate(MODEL, state, later).total < 0.01 * max(evaluate(MODEL, state, NOW).total, 1)
