from datetime import UTC, date, datetime

from services.api.reading.snapshots import end_of_day, evaluate_snapshot
from shared.scoring import RepState, apply_event, bucket_value, evaluate, load_default_model, stored_basis

MODEL = load_default_model()
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def row(state: RepState, version: str = MODEL.version) -> dict:
    score = evaluate(MODEL, state, NOW.timestamp())
    return {"model_version": version, "state": state.basis(MODEL).to_json(), "total": score.total, **score.pillars}


def test_the_stored_state_keeps_decaying_until_the_read() -> None:
    state = apply_event(MODEL, RepState(), event_type="meeting.booked", source="hubspot", event_time=NOW.timestamp(), seq=0)
    later = datetime(2026, 12, 25, tzinfo=UTC)
    assert evaluate_snapshot(MODEL, row(state), later).total < evaluate_snapshot(MODEL, row(state), NOW).total


def test_a_snapshot_of_another_model_version_is_returned_as_stored() -> None:
    stored = row(RepState(), version="older") | {"brand": 3.0, "total": 3.0}
    assert evaluate_snapshot(MODEL, stored, NOW).total == 3.0


def test_rows_stored_before_the_basis_read_the_same_score() -> None:
    """rep_scores rows written by the earlier scorer hold the whole state; they read as the basis does."""
    state = RepState()
    for i, kind in enumerate(["meeting.booked", "post.published", "reaction.given", "meeting.booked"]):
        apply_event(MODEL, state, event_type=kind, source="hubspot", event_time=NOW.timestamp() - i * 86_400, seq=i)
    k_types = sorted(MODEL.activities)
    legacy = {"anchor": state.anchor, "folded": dict.fromkeys(("brand", "people", "insights", "relationships"), 0.0),
              "buckets": {f"{day}|{k_types[t]}": qs for day, types in state.days.items() for t, qs in types.items()},
              "seq": state.seq, "events": state.events}
    assert bucket_value(MODEL, "meeting.booked", 0, 0.0, 0.0, 0.0) == 0.0
    assert evaluate(MODEL, stored_basis(MODEL, legacy), NOW.timestamp() + 86_400) == evaluate(
        MODEL, state, NOW.timestamp() + 86_400)


def test_history_points_are_read_at_the_end_of_their_day_but_never_in_the_future() -> None:
    assert end_of_day(date(2026, 11, 20), NOW) == datetime(2026, 11, 21, tzinfo=UTC)
    assert end_of_day(date(2026, 11, 25), NOW) == NOW
