"""The history checker on hand-made histories: it passes a faithful pipeline and names each kind of failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.scoring import load_default_model
from tests.faults.history import (
    Attempt,
    LedgerRow,
    Observed,
    ScoreRead,
    Sent,
    check,
    expected_pillars,
)

MODEL = load_default_model()
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def event(i: int, rep: str | None = "rep-a", type_: str = "post.published", **extra: object) -> Sent:
    return Sent(key=("linkedin", f"e{i}"), rep=rep, type=type_, time=NOW - timedelta(hours=10 + i), **extra)  # type: ignore[arg-type]


def ack(request: int, *events: Sent, client: str = "c1", status: int = 202) -> Attempt:
    return Attempt(client, request, tuple(e.key for e in events), 0.0, 0.1, status)


def faithful(events: list[Sent], reps: tuple[str, ...] = ("rep-a",)) -> Observed:
    """What a correct pipeline shows for ``events`` (all activity)."""
    at = NOW - timedelta(hours=12, minutes=30)
    observed = Observed(ledger={e.key: LedgerRow(e.rep or "", e.type) for e in events}, scores={})
    for rep in reps:
        mine = [e for e in events if e.rep == rep]
        observed.scores[rep] = ScoreRead(len(mine), expected_pillars(MODEL, mine, NOW), NOW)
        before = [e for e in mine if e.time <= at]
        observed.at_reads[rep] = ScoreRead(len(before), expected_pillars(MODEL, before, at), at)
    return observed


def test_a_faithful_pipeline_passes_and_the_summary_counts_retries() -> None:
    events = [event(i) for i in range(6)]
    sent = {e.key: e for e in events}
    attempts = [Attempt("c1", 1, (events[0].key, events[1].key), 0, 1, None, "timeout"),
                ack(1, events[0], events[1]), ack(2, *events[2:])]
    report = check(MODEL, sent, attempts, faithful(events))
    assert report.ok, report.summary()
    assert (report.sent, report.acknowledged, report.retried, report.attempts) == (6, 6, 1, 3)
    assert report.lost_total == report.doubled_total == 0
    assert "sent 6, acknowledged 6, retried 1" in report.summary()


def test_an_acknowledged_event_missing_from_the_ledger_and_the_state_is_lost_once() -> None:
    events = [event(i) for i in range(4)]
    observed = faithful(events[:3])
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert not report.ok and not report.complete
    assert report.lost == {"rep-a": 1} and report.missing_keys == [events[3].key]


def test_an_event_in_the_ledger_but_not_in_the_state_is_lost() -> None:
    events = [event(i) for i in range(4)]
    observed = faithful(events[:3])
    observed.ledger[events[3].key] = LedgerRow("rep-a", events[3].type)
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert report.lost == {"rep-a": 1} and report.missing_keys == []


def test_a_record_applied_twice_shows_as_doubled_even_though_the_ledger_has_it_once() -> None:
    events = [event(i) for i in range(4)]
    observed = faithful(events)
    doubled = events + [events[2]]
    observed.scores["rep-a"] = ScoreRead(5, expected_pillars(MODEL, doubled, NOW), NOW)
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert report.doubled == {"rep-a": 1} and not report.ok


def test_a_wrong_score_with_the_right_count_is_a_mismatch() -> None:
    events = [event(i) for i in range(4)]
    observed = faithful(events)
    pillars = dict(observed.scores["rep-a"].pillars)
    pillars["brand"] += 0.02
    observed.scores["rep-a"] = ScoreRead(4, pillars, NOW)
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert report.mismatches and "rep-a now brand" in report.mismatches[0]
    assert not report.lost and not report.doubled and not report.ok


def test_a_wrong_point_in_time_read_is_a_mismatch() -> None:
    events = [event(i) for i in range(4)]
    observed = faithful(events)
    at_read = observed.at_reads["rep-a"]
    observed.at_reads["rep-a"] = ScoreRead(at_read.events + 1, at_read.pillars, at_read.at)
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert report.mismatches and "sent before it" in report.mismatches[0]


def test_within_rounding_is_not_a_mismatch() -> None:
    events = [event(i) for i in range(3)]
    observed = faithful(events)
    pillars = {p: v + 0.01 for p, v in observed.scores["rep-a"].pillars.items()}
    observed.scores["rep-a"] = ScoreRead(3, pillars, NOW)
    assert check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed).ok


def test_scored_but_never_sent_or_for_another_rep_is_phantom() -> None:
    events = [event(i) for i in range(2)]
    observed = faithful(events)
    observed.ledger[("linkedin", "nobody-sent-this")] = LedgerRow("rep-a", "post.published")
    observed.ledger[events[0].key] = LedgerRow("rep-b", events[0].type)
    report = check(MODEL, {e.key: e for e in events}, [ack(1, *events)], observed)
    assert len(report.phantom) == 2 and not report.ok


def test_an_unacknowledged_event_may_be_scored_once_or_not_at_all() -> None:
    events = [event(i) for i in range(3)]
    timeout = Attempt("c1", 2, (events[2].key,), 0, 1, None, "ReadTimeout")
    sent = {e.key: e for e in events}
    scored = check(MODEL, sent, [ack(1, events[0], events[1]), timeout], faithful(events))
    assert scored.ok and scored.unacknowledged == 1 and scored.indeterminate_scored == 1
    not_scored = check(MODEL, sent, [ack(1, events[0], events[1]), timeout], faithful(events[:2]))
    assert not_scored.ok and not_scored.indeterminate_scored == 0


def test_events_not_scored_by_design_are_counted_apart_and_must_be_where_the_design_puts_them() -> None:
    activity = event(1)
    outcome = event(2, type_="deal.won", data={"amount": 1000})
    unknown = event(3, type_="test.unknown_kind")
    parked = event(4, rep=None, type_="lead.saved", identity="portal-9")
    sent = {e.key: e for e in (activity, outcome, unknown, parked)}
    attempts = [ack(1, activity, outcome, unknown, parked),
                Attempt("quota", 1, (activity.key,), 0, 1, 429)]
    observed = faithful([activity])
    observed.dead_letters = {unknown.key}
    observed.parked = {"portal-9": 1}
    report = check(MODEL, sent, attempts, observed)
    assert report.ok, report.summary()
    assert report.by_design == {"outcome": 1, "dead_letter": 1, "parked": 1} and report.refused_429 == 1
    observed.dead_letters, observed.parked = set(), {}
    missing = check(MODEL, sent, attempts, observed)
    assert len(missing.unaccounted) == 2 and not missing.ok
    observed.ledger[outcome.key] = LedgerRow("rep-a", "deal.won")
    assert any("outcome" in p for p in check(MODEL, sent, attempts, observed).phantom)


def test_a_client_error_other_than_429_fails_the_run() -> None:
    events = [event(1)]
    attempts = [Attempt("c1", 1, (events[0].key,), 0, 1, 400), ack(1, *events)]
    report = check(MODEL, {e.key: e for e in events}, attempts, faithful(events))
    assert report.rejected == ["c1#1: 400"] and not report.ok


def test_a_parked_count_above_what_was_sent_is_reported_and_below_what_was_acknowledged_fails() -> None:
    parked = [event(i, rep=None, type_="lead.saved", identity="portal-9") for i in range(3)]
    sent = {e.key: e for e in parked}
    observed = Observed(ledger={}, scores={}, parked={"portal-9": 4})
    over = check(MODEL, sent, [ack(1, *parked)], observed)
    assert over.ok and over.parked_overcount == 1
    observed.parked = {"portal-9": 2}
    assert not check(MODEL, sent, [ack(1, *parked)], observed).ok
