"""What happens to one activity record: a pure decision, no Faust, no Kafka.

Idempotency, without trusting Faust's exactly-once:
- ``seen[dedup key]`` holds the offset at which an event id was first met. Another record with the same id
  at a different offset is a duplicate delivery (a sender retry) and is not scored.
- ``state.seq`` is the offset of the last record applied to a rep, in ``state.partition``. A record of that
  partition at or below it is a replay after a crash or rebalance and is not applied again. A record from
  another partition is never taken for a replay (see the README on partition counts).
All of a rep's records live in one partition and are processed in offset order, and both tables write
their changelog to that same partition, so any crash between the two writes is repaired by the replay:
seen written but state lost -> the replayed record is the original (same offset) and is applied;
state written but seen lost -> the replayed record is at or below the seq and is only marked seen.
A replayed record also gives its ledger row again and its rep a new snapshot: the state can land in Kafka
before the snapshot and ledger records of the same batch, and both of those are idempotent in the sink.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from shared.events import (
    STORED_TYPES,
    ActivityEnvelope,
    EventTimeError,
    StoredDataError,
    check_event_time,
    stored_data,
)
from shared.scoring import Contribution, RepState, ScoringModel, Unscorable, apply_contribution, classify, contribution
from shared.scoring.state import Outcome


class Verdict(str, Enum):
    SCORED = "scored"
    DUPLICATE = "duplicate"
    REPLAY = "replay"
    OUTCOME = "outcome"
    MENTION = "mention"
    INVALID_DATA = "invalid_data"
    UNKNOWN_TYPE = "unknown_type"
    FUTURE = "future"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    contribution: Contribution | None = None
    reason: str | None = None
    stored: dict[str, Any] | None = None
    """An outcome's or a mention's checked fields (``shared.events.stored_data``), for the outcomes topic."""

    @property
    def dead_letter(self) -> bool:
        return self.verdict in (Verdict.UNKNOWN_TYPE, Verdict.FUTURE, Verdict.INVALID_DATA)

    @property
    def mark_seen(self) -> bool:
        """Dead letters are not marked seen: a replay after the fix must be scored."""
        return self.verdict in (Verdict.SCORED, Verdict.REPLAY, Verdict.OUTCOME, Verdict.MENTION)


def is_replay(state: RepState, partition: int, offset: int) -> bool:
    return partition == state.partition and offset <= state.seq


def decide(
    model: ScoringModel,
    envelope: ActivityEnvelope,
    *,
    offset: int,
    first_seen_at: int | None,
    state: RepState,
    now: datetime,
    partition: int = 0,
) -> Decision:
    """Classify one record and, when it is scored, apply it to ``state`` in place (O(1))."""
    if first_seen_at is not None and first_seen_at != offset:
        return Decision(Verdict.DUPLICATE)
    event = envelope.event
    if event.type in STORED_TYPES:
        # stored, not scored: no state change, so a replay is told by the dedup entry alone (same offset) and
        # emits the record again (the sink's upsert makes that harmless)
        return _stored(event, now)
    if is_replay(state, partition, offset):
        # already in the state; its ledger row is computed again, so that outputs lost in a crash (the
        # snapshot and ledger records are flushed after the state) are emitted again: both are idempotent
        try:
            replayed = contribution(model, event_type=event.type, source=event.source,
                                    event_time=event.time.timestamp(), data=event.data)
        except Unscorable:
            replayed = None
        return Decision(Verdict.REPLAY, contribution=replayed)
    try:
        check_event_time(event, now)
    except EventTimeError as exc:
        return Decision(Verdict.FUTURE, reason=str(exc))
    try:
        if classify(model, event.type) is Outcome:
            return Decision(Verdict.OUTCOME)
        at = event.time.timestamp()
        c = contribution(model, event_type=event.type, source=event.source, event_time=at, data=event.data)
    except Unscorable as exc:
        return Decision(Verdict.UNKNOWN_TYPE, reason=str(exc))
    apply_contribution(model, state, c, event_type=event.type, event_time=at, seq=offset, partition=partition)
    return Decision(Verdict.SCORED, contribution=c)


def _stored(event: Any, now: datetime) -> Decision:
    """A CRM outcome or a brand mention: its checked fields, or a dead letter naming the field."""
    try:
        check_event_time(event, now)
    except EventTimeError as exc:
        return Decision(Verdict.FUTURE, reason=str(exc))
    try:
        fields = stored_data(event.type, event.data)
    except StoredDataError as exc:
        return Decision(Verdict.INVALID_DATA, reason=f"{event.type} {exc.pointer}: {exc.detail}")
    verdict = Verdict.MENTION if event.type == "mention.received" else Verdict.OUTCOME
    return Decision(verdict, stored=fields)
