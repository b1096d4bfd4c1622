"""What the registry of erased reps means for an event (scorer) and for a stored record (sink). Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.scorer.erasures import Fate, fate
from shared.db.erasure import Entry, suppressed

ERASED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = ERASED_AT - timedelta(seconds=1), ERASED_AT + timedelta(seconds=1)


def entry(erased: bool) -> Entry:
    return Entry("t", "r", erased, ERASED_AT, 1)


def test_an_unknown_rep_is_scored() -> None:
    assert fate(None, AFTER) is Fate.SCORE
    assert not suppressed(None, BEFORE)


def test_an_erased_rep_never_counts_its_old_events_and_dead_letters_new_ones() -> None:
    assert fate(entry(True), BEFORE) is Fate.SKIP
    assert fate(entry(True), AFTER) is Fate.DEAD_LETTER
    assert suppressed(entry(True), BEFORE) and suppressed(entry(True), AFTER)


def test_after_unerase_only_events_received_after_the_erasure_count() -> None:
    assert fate(entry(False), BEFORE) is Fate.SKIP
    assert fate(entry(False), AFTER) is Fate.SCORE
    assert suppressed(entry(False), BEFORE) and not suppressed(entry(False), AFTER)
