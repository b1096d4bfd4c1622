from datetime import UTC, datetime, timedelta

from services.scorer.processing import Verdict, decide
from shared.events import ActivityEnvelope, CloudEvent
from shared.scoring import RepState, load_default_model
from tests.factories import cloud_event

MODEL = load_default_model()
NOW = datetime.now(UTC)


def envelope(**kw) -> ActivityEnvelope:  # type: ignore[no-untyped-def]
    return ActivityEnvelope(tenant_id="t", received_at=NOW, event=CloudEvent.model_validate(cloud_event("r", **kw)))


def test_a_new_event_is_scored_and_moves_the_seq() -> None:
    state = RepState()
    d = decide(MODEL, envelope(), offset=7, first_seen_at=None, state=state, now=NOW)
    assert d.verdict is Verdict.SCORED and state.seq == 7 and state.events == 1
    assert d.contribution is not None and d.contribution.pillar == "brand"


def test_the_same_id_at_another_offset_is_a_duplicate() -> None:
    d = decide(MODEL, envelope(), offset=9, first_seen_at=7, state=RepState(), now=NOW)
    assert d.verdict is Verdict.DUPLICATE


def test_a_replayed_record_is_not_applied_twice_but_its_first_delivery_after_a_lost_state_write_is() -> None:
    applied = RepState()
    decide(MODEL, envelope(), offset=7, first_seen_at=None, state=applied, now=NOW)
    # crash after both writes: replay of offset 7 sees the seq and is not applied again
    assert decide(MODEL, envelope(), offset=7, first_seen_at=7, state=applied, now=NOW).verdict is Verdict.REPLAY
    # crash after the seen write but before the state write: the record is still the original, so it is applied
    assert decide(MODEL, envelope(), offset=7, first_seen_at=7, state=RepState(), now=NOW).verdict is Verdict.SCORED


def test_unscorable_events_go_to_the_dead_letter_topic_with_a_reason() -> None:
    unknown = decide(MODEL, envelope(type_="telepathy.used"), offset=1, first_seen_at=None, state=RepState(), now=NOW)
    assert unknown.verdict is Verdict.UNKNOWN_TYPE and unknown.dead_letter and "telepathy.used" in (unknown.reason or "")
    future = envelope(time=NOW + timedelta(hours=2))
    d = decide(MODEL, future, offset=1, first_seen_at=None, state=RepState(), now=NOW)
    assert d.verdict is Verdict.FUTURE and d.dead_letter and "future" in (d.reason or "")


def test_outcomes_are_kept_not_scored() -> None:
    state = RepState()
    d = decide(MODEL, envelope(type_="deal.won", source="hubspot", amount=1200), offset=1, first_seen_at=None,
               state=state, now=NOW)
    assert d.verdict is Verdict.OUTCOME and d.contribution is None and d.mark_seen
    assert d.stored == {"amount": 1200.0, "currency": None} and (state.events, state.seq) == (0, -1)


def test_a_replayed_outcome_is_stored_again_and_a_duplicate_is_not() -> None:
    """Outcomes change no state, so a replay (same offset) emits the record again: the sink's upsert absorbs it."""
    scored = RepState()
    decide(MODEL, envelope(), offset=9, first_seen_at=None, state=scored, now=NOW)
    won = envelope(type_="deal.won", amount=5)
    assert decide(MODEL, won, offset=3, first_seen_at=3, state=scored, now=NOW).stored == {"amount": 5.0, "currency": None}
    assert decide(MODEL, won, offset=12, first_seen_at=3, state=scored, now=NOW).verdict is Verdict.DUPLICATE


def test_mentions_are_stored_not_scored() -> None:
    d = decide(MODEL, envelope(type_="mention.received", source="x", brand="Acme", reach=300, sentiment="negative"),
               offset=1, first_seen_at=None, state=RepState(), now=NOW)
    assert d.verdict is Verdict.MENTION and d.mark_seen and not d.dead_letter
    assert d.stored == {"brand": "Acme", "reach": 300.0, "sentiment": -1.0}


def test_bad_outcome_data_is_a_dead_letter_naming_the_field() -> None:
    cases = [
        (envelope(type_="deal.won"), "/data/amount"),
        (envelope(type_="deal.won", amount="12"), "/data/amount"),
        (envelope(type_="quota.set", amount=100), "/data/period"),
        (envelope(type_="quota.set", amount=100, period="2026-12-31/2026-10-01"), "ends before"),
        (envelope(type_="quota.set", amount=0, period="2026-10-01/2026-12-31"), "/data/amount"),
        (envelope(type_="mention.received", reach=3), "/data/brand"),
        (envelope(type_="mention.received", brand="Acme", reach=3, sentiment=4), "/data/sentiment"),
    ]
    for env, why in cases:
        d = decide(MODEL, env, offset=1, first_seen_at=None, state=RepState(), now=NOW)
        assert d.verdict is Verdict.INVALID_DATA and d.dead_letter and not d.mark_seen, (env.event.data, d)
        assert why in (d.reason or "") and env.event.type in (d.reason or "")


def test_the_replay_guard_knows_partitions() -> None:
    """A rep whose records moved to another partition (partitions added) is not taken for a replay there."""
    state = RepState()
    decide(MODEL, envelope(), offset=500, first_seen_at=None, state=state, now=NOW, partition=1)
    assert decide(MODEL, envelope(id_="x"), offset=400, first_seen_at=None, state=state, now=NOW,
                  partition=1).verdict is Verdict.REPLAY
    moved = decide(MODEL, envelope(id_="y"), offset=3, first_seen_at=None, state=state, now=NOW, partition=5)
    assert moved.verdict is Verdict.SCORED and (state.partition, state.seq) == (5, 3)


def test_a_replay_is_not_applied_again_but_gives_its_ledger_row_again() -> None:
    """Outputs lost in a crash (the state landed, the snapshot and ledger did not) come back with the replay."""
    state, record = RepState(), envelope()
    first = decide(MODEL, record, offset=7, first_seen_at=None, state=state, now=NOW)
    again = decide(MODEL, record, offset=7, first_seen_at=7, state=state, now=NOW)
    assert again.verdict is Verdict.REPLAY and state.events == 1
    assert again.contribution == first.contribution
