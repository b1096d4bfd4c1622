"""ssi-v3's properties, proved with hypothesis on the packaged model file.

What holds in v3: order-free (within the late window, as in v2), duplicates once (the scorer's dedup; the pure
functions apply what they are given), bounds 0-25 per pillar and 0-100 in total, decay to 0, monotone in
responses and in two-way activity. What does NOT hold any more, on purpose: adding a one-way event that draws
no response may lower the score (it lowers the channel's rate, hence what all its one-way activity is worth).
"""

from __future__ import annotations

import math
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.scoring import PILLARS, Basis, RepState, apply_event, evaluate, load_packaged_model, pillar_values
from shared.scoring.state import compiled, idle_after_seconds, rate_readings

MODEL = load_packaged_model("ssi-v3.toml")
DAY = 86_400.0
NOW = 1_800_000_000.0
TYPES = sorted(MODEL.activities)
TWO_WAY = sorted(t for t, a in MODEL.activities.items() if a.two_way)
RESPONSES = sorted({t for r in MODEL.rates.values() for t in r.responses})
ONE_WAY = sorted({t for r in MODEL.rates.values() for t in r.one_way})
SOURCES = ["linkedin", "x", "hubspot", "tiktok", "some-crm"]
WINDOW = MODEL.late_window_days * DAY

data_strategy = st.fixed_dictionaries(
    {},
    optional={
        "reach": st.integers(0, 10**6),
        "counterpart": st.fixed_dictionaries(
            {},
            optional={
                "is_decision_maker": st.booleans(),
                "seniority": st.sampled_from(["entry", "senior", "vp", "cxo"]),
                "followers": st.integers(0, 10**7),
            },
        ),
    },
)
times = st.floats(min_value=NOW - WINDOW + DAY, max_value=NOW)


def event_of(kinds: list[str]):  # type: ignore[no-untyped-def]
    return st.tuples(st.sampled_from(kinds), st.sampled_from(SOURCES), times, data_strategy)


events_strategy = st.lists(event_of(TYPES), max_size=80)


def fold(events, state: RepState | None = None) -> RepState:  # type: ignore[no-untyped-def]
    state = state or RepState()
    for seq, (kind, source, at, data) in enumerate(events):
        apply_event(MODEL, state, event_type=kind, source=source, event_time=at, seq=seq, data=data)
    return state


@settings(max_examples=300, deadline=None)
@given(events_strategy, st.randoms(use_true_random=False))
def test_order_free(events, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(events)
    rnd.shuffle(shuffled)
    a, b = fold(events), fold(shuffled)
    for p in PILLARS:
        assert pillar_values(MODEL, a, NOW)[p] == pytest.approx(pillar_values(MODEL, b, NOW)[p], rel=1e-9, abs=1e-9)
    for x, y in zip(rate_readings(MODEL, a, NOW), rate_readings(MODEL, b, NOW), strict=True):
        assert x.rate == pytest.approx(y.rate, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(events_strategy)
def test_bounds(events) -> None:  # type: ignore[no-untyped-def]
    score = evaluate(MODEL, fold(events), NOW)
    assert all(0.0 <= v <= 25.0 for v in score.pillars.values())
    assert 0.0 <= score.total <= 100.0
    assert score.total == pytest.approx(sum(score.pillars.values()), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(event_of(TYPES), min_size=1, max_size=40))
def test_decay_to_zero(events) -> None:  # type: ignore[no-untyped-def]
    state = fold(events)
    totals = [evaluate(MODEL, state, NOW + d * DAY).total for d in (0, 30, 120, 400, 1500)]
    assert totals == sorted(totals, reverse=True)
    assert totals[-1] < 0.01
    assert evaluate(MODEL, state, NOW + idle_after_seconds(MODEL)).total < 0.01 * max(totals[0], 1)


def _not_lower(before: RepState, after: RepState) -> None:
    b, a = pillar_values(MODEL, before, NOW), pillar_values(MODEL, after, NOW)
    assert all(a[p] >= b[p] * (1 - 1e-9) - 1e-12 for p in PILLARS), (b, a)
    assert evaluate(MODEL, after, NOW).total >= evaluate(MODEL, before, NOW).total


@settings(max_examples=300, deadline=None)
@given(events_strategy, event_of(RESPONSES))
def test_monotone_in_responses(events, response) -> None:  # type: ignore[no-untyped-def]
    _not_lower(fold(events), fold([*events, response]))


@settings(max_examples=300, deadline=None)
@given(events_strategy, event_of(TWO_WAY))
def test_monotone_in_two_way_activity(events, extra) -> None:  # type: ignore[no-untyped-def]
    _not_lower(fold(events), fold([*events, extra]))


def test_a_one_way_event_without_response_may_lower_the_score() -> None:
    """The point of v3, pinned: volume that draws no response costs worth."""
    good = [("connection.requested", "linkedin", NOW - i * 3600, {}) for i in range(3)]
    good += [("connection.accepted", "linkedin", NOW - i * 3600, {}) for i in range(3)]
    spam = [("connection.requested", "linkedin", NOW - DAY - i * 60, {}) for i in range(60)]
    assert evaluate(MODEL, fold([*good, *spam]), NOW).total < evaluate(MODEL, fold(good), NOW).total


def _requests(per_day: int, accepted_share: float, days: int = 14) -> tuple[float, str]:
    """What requests earn (the people pillar holds only them here) after ``days`` of this."""
    events = []
    for d in range(days):
        day = NOW - (d + 1) * DAY
        events += [("connection.requested", "linkedin", day + 3600 + i * 60, {}) for i in range(per_day)]
        accepted = round(per_day * accepted_share * (d + 1)) - round(per_day * accepted_share * d)
        events += [("connection.accepted", "linkedin", day + 7200 + i * 60, {}) for i in range(accepted)]
    state = fold(events)
    line = next(r.line() for r in rate_readings(MODEL, state, NOW) if r.channel == "connections")
    return pillar_values(MODEL, state, NOW)["people"], line


def test_40_requests_a_day_at_5_percent_earn_less_than_3_at_60_percent() -> None:
    spam, spam_line = _requests(40, 0.05)
    good, good_line = _requests(3, 0.60)
    print(f"\n40 a day at 5%: {spam:.2f} ({spam_line}); 3 a day at 60%: {good:.2f} ({good_line})")
    assert spam < good
    assert re.fullmatch(r"requests: \d+, accepted 5%, worth x0\.[12]\d*", spam_line), spam_line


def test_a_pillars_one_way_activity_earns_at_most_its_daily_budget() -> None:
    """Filling every one-way type of every pillar, a lot, in one day: each pillar's one-way terms together
    stay under budget x max_worth (the budget curve B(W) = budget*(1-exp(-W/budget)) never reaches budget)."""
    events = [(kind, "linkedin", NOW - 3600 - i, {"counterpart": {"is_decision_maker": True}, "reach": 10**6})
              for kind in ONE_WAY for i in range(300)]
    state = fold(events)
    k = compiled(MODEL)
    raw = dict(zip(k.terms, state.values, strict=True))
    max_worth = max(r.max_worth for r in MODEL.rates.values())
    for pillar in PILLARS:
        budget = MODEL.pillars[pillar].daily_budget
        one_way = sum(v for name, v in raw.items() if name.startswith(f"{pillar}@"))
        assert budget is not None
        # values at the anchor are decayed from each event's own time: at most one day's growth above budget
        assert one_way <= budget * math.pow(2, 1 / MODEL.pillars[pillar].half_life_days)
        assert pillar_values(MODEL, state, NOW)[pillar] <= budget * max_worth * 1.1


def test_rates_are_smoothed_by_the_prior() -> None:
    """One request and no acceptance does not make the rate 0; the prior's mean with nothing at all."""
    nothing = rate_readings(MODEL, RepState(), NOW)
    one = rate_readings(MODEL, fold([("connection.requested", "linkedin", NOW, {})]), NOW)
    prior = MODEL.rates["connections"]
    assert nothing[0].rate == pytest.approx(prior.alpha / (prior.alpha + prior.beta))
    day_start = math.floor(NOW / DAY) * DAY  # counters decay from the event's UTC day
    one = rate_readings(MODEL, fold([("connection.requested", "linkedin", day_start, {})]), day_start)
    assert one[0].rate == pytest.approx(prior.alpha / (prior.alpha + prior.beta + 1))


@settings(max_examples=100, deadline=None)
@given(events_strategy, st.floats(min_value=0, max_value=400 * DAY))
def test_the_basis_reads_the_same_score_and_rates_as_the_state(events, later) -> None:  # type: ignore[no-untyped-def]
    state = fold(events)
    basis = Basis.from_json(state.basis(MODEL).to_json())
    assert evaluate(MODEL, basis, NOW + later) == evaluate(MODEL, state, NOW + later)
    assert rate_readings(MODEL, basis, NOW + later) == rate_readings(MODEL, state, NOW + later)
    assert RepState.from_bytes(state.to_bytes()) == state


def test_work_per_event_does_not_depend_on_history() -> None:
    """O(1): applying an event touches one day's buckets of one pillar, the terms and its counters."""
    from shared.scoring import state as state_module

    calls = {"n": 0}
    original = state_module._value

    def counting(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return original(*args)

    history = fold([(TYPES[i % len(TYPES)], "linkedin", NOW - 34 * DAY + i * 600, {}) for i in range(5000)])
    state_module._value = counting
    try:
        for kind in ("profile.viewed", "meeting.booked"):
            calls["n"] = 0
            apply_event(MODEL, history, event_type=kind, source="linkedin", event_time=NOW + 1, seq=10**6)
            assert calls["n"] <= 2 * len(TYPES) // 2
    finally:
        state_module._value = original
    assert history.bucket_count > 300


def test_the_model_declares_rates_priors_and_budgets() -> None:
    assert MODEL.version == "ssi-v3"
    assert all(MODEL.pillars[p].daily_budget for p in PILLARS)
    assert {"connections", "messages", "content"} <= set(MODEL.rates)
    for kind in ("connection.requested", "message.sent", "post.published", "content.shared", "reaction.given",
                 "profile.viewed", "search.performed"):
        assert MODEL.rate_of(kind) is not None, kind
    for kind in ("connection.accepted", "message.replied", "meeting.booked"):
        assert MODEL.activities[kind].two_way and MODEL.rate_of(kind) is None


def test_a_model_file_with_an_inconsistent_rate_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    from shared.scoring.model import ModelFileError, load_model

    source = (__import__("pathlib").Path(__file__).parents[2] / "shared/scoring/models/ssi-v3.toml").read_text()
    raw = tomllib.loads(source)
    cases = [
        ("half_life_days = 14\nreference = 0.3", "half_life_days = 7\nreference = 0.3", "decays faster"),
        ('responses = { "connection.accepted" = 1.0 }', 'responses = { "connection.requested" = 1.0 }',
         "must be a two-way activity"),
        ('one_way = { "message.sent" = 1.0 }', 'one_way = { "message.teleported" = 1.0 }', "not activities"),
    ]
    assert raw["version"] == "ssi-v3"
    for old, new, reason in cases:
        assert old in source, old
        path = tmp_path / "m.toml"
        path.write_text(source.replace(old, new, 1))
        with pytest.raises(ModelFileError, match=reason):
            load_model(path)


def test_ssi_v3_is_the_default_and_ssi_v2_stays_selectable(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from shared.settings import ServiceSettings

    monkeypatch.setenv("SSI_ENV", "test")
    monkeypatch.delenv("SSI_MODEL_FILE", raising=False)
    monkeypatch.delenv("SSI_MODEL", raising=False)
    assert ServiceSettings().scoring_model().version == "ssi-v3"
    monkeypatch.setenv("SSI_MODEL", "ssi-v2")
    assert ServiceSettings().scoring_model().version == "ssi-v2"
    monkeypatch.setenv("SSI_MODEL", "ssi-v9")
    with pytest.raises(ValueError, match="SSI_MODEL"):
        ServiceSettings()
