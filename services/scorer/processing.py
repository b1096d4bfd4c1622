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

from shared.events import ActivityEnvelope, EventTimeError, check_event_time
from shared.scoring import Contribution, RepState, ScoringModel, Unscorable, apply_contribution, classify, contribution
from shared.scoring.state import Outcome


class Verdict(str, Enum):
    SCORED = "scored"
    DUPLICATE = "duplicate"
    REPLAY = "replay"
    OUTCOME = "outcome"
    UNKNOWN_TYPE = "unknown_type"
    FUTURE = "future"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    contribution: Contribution | None = None
    reason: str | None = None

    @property
    def dead_letter(self) -> bool:
        return self.verdict in (Verdict.UNKNOWN_TYPE, Verdict.FUTURE)

    @property
    def mark_seen(self) -> bool:
        """Dead letters are not marked seen: a replay after the fix must be scored."""
        return self.verdict in (Verdict.SCORED, Verdict.REPLAY, Verdict.OUTCOME)


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
