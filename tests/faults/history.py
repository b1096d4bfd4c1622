"""The history checker, as Jepsen does it: what the clients sent and were told, against what the product shows.

Pure: no I/O. The clients (tests/faults/workload.py) record every attempt of every request and which events a
2xx acknowledged; the observer (tests/faults/observe.py) reads the product's own outputs once the pipeline
drained: the ledger of scored events, each rep's current score, a point-in-time (``?at=``) read per rep, the
dead-letter topic and the parked identities. ``check`` compares them:

- every acknowledged activity event is in the ledger once, for its rep, and counted once in the rep's state
  (the ledger is keyed by event, so a second application shows in the state's event count and its score);
- nothing is in the ledger that no client sent;
- each rep's pillars equal the pure model (shared.scoring) applied to its events, now and at the ``?at=``
  instant, within the README's exactness bound (pillars are rounded to 0.01, and the order of events does
  not matter within the late window, which every event of the workload is inside);
- acknowledged events that are not scored by design are accounted for apart: CRM outcomes (never in the
  ledger), events of an unknown type (in the dead-letter topic), events of an identity nobody claims (parked),
  and requests refused with 429 (retried by the client like any other refusal).

An event sent but never acknowledged (every attempt failed, timed out or was cut off) is indeterminate, as in
Jepsen: Kafka may have taken it before the answer was lost. It may be scored or not, but at most once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.scoring import PILLARS, Outcome, RepState, ScoringModel, Unscorable, apply_event, classify, evaluate

Key = tuple[str, str]
"""An event's identity within its tenant: (source, id), the scorer's idempotency key."""

TOLERANCE = 0.01 + 1e-9
"""Pillars are rounded to 0.01 on both sides; the values behind them agree to far below 1e-9 (README)."""

ACTIVITY, OUTCOME, DEAD_LETTER, PARKED = "activity", "outcome", "dead_letter", "parked"


@dataclass(frozen=True)
class Sent:
    """One event as a client meant it (the same on every retry)."""

    key: Key
    rep: str | None
    """The rep it should be scored for; None when it names an identity that no rep claims (parked)."""
    type: str
    time: datetime
    data: dict[str, Any] = field(default_factory=dict)
    identity: str | None = None
    """The platform identity of a webhook event that is resolved through the directory."""

    @property
    def source(self) -> str:
        return self.key[0]


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of one request: its answer (status) or the error that stood for one."""

    client: str
    request: int
    keys: tuple[Key, ...]
    started: float
    ended: float
    status: int | None
    error: str | None = None
    retry_after: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def kind(model: ScoringModel, event: Sent) -> str:
    """What the product does with an acknowledged event, by design."""
    if event.rep is None:
        return PARKED
    try:
        return OUTCOME if classify(model, event.type) is Outcome else ACTIVITY
    except Unscorable:
        return DEAD_LETTER


@dataclass(frozen=True)
class LedgerRow:
    rep: str
    type: str


@dataclass(frozen=True)
class ScoreRead:
    """A score as the api answered it: events counted in the state, pillars, and the instant it was read at."""

    events: int
    pillars: dict[str, float]
    at: datetime


@dataclass
class Observed:
    ledger: dict[Key, LedgerRow]
    scores: dict[str, ScoreRead]
    """Current score per rep (a rep the api does not know is absent)."""
    at_reads: dict[str, ScoreRead] = field(default_factory=dict)
    """A ``?at=`` read per rep, at an instant between its events."""
    dead_letters: set[Key] = field(default_factory=set)
    parked: dict[str, int] = field(default_factory=dict)
    """Events waiting per unclaimed identity."""


@dataclass
class Report:
    sent: int = 0
    acknowledged: int = 0
    requests: int = 0
    attempts: int = 0
    retried: int = 0
    """Requests that needed more than one attempt."""
    refused_429: int = 0
    """Attempts answered 429 (each retried later)."""
    failed_attempts: Counter[str] = field(default_factory=Counter)
    """Attempts that were not 2xx, by answer (status or error)."""
    unacknowledged: int = 0
    indeterminate_scored: int = 0
    """Events never acknowledged that were scored all the same (allowed: Kafka had them)."""
    by_design: dict[str, int] = field(default_factory=dict)
    """Acknowledged events not scored by design, by kind (outcome, dead_letter, parked)."""
    lost: dict[str, int] = field(default_factory=dict)
    """Per rep: acknowledged activity events missing from the ledger or from the rep's state."""
    missing_keys: list[Key] = field(default_factory=list)
    doubled: dict[str, int] = field(default_factory=dict)
    """Per rep: events counted in the state beyond the events it should hold."""
    phantom: list[str] = field(default_factory=list)
    """Ledger rows no client sent, or scored for another rep or type than sent, or that are not activity."""
    mismatches: list[str] = field(default_factory=list)
    """Scores (current or ``?at=``) that differ from the model applied to the events."""
    unaccounted: list[str] = field(default_factory=list)
    """Acknowledged events not scored by design that cannot be found where the design puts them."""
    rejected: list[str] = field(default_factory=list)
    """Requests answered 4xx other than 429 (the workload sends only valid requests)."""
    parked_overcount: int = 0
    """Parked events shown beyond those sent (copies of replayed records in the parking list)."""
    drain_seconds: float | None = None

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def doubled_total(self) -> int:
        return sum(self.doubled.values())

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.phantom or self.mismatches or self.unaccounted or self.rejected)

    @property
    def complete(self) -> bool:
        """Everything acknowledged has arrived (nothing lost): what the drain waits for."""
        return not self.lost and not self.unaccounted

    def summary(self, title: str = "history") -> str:
        drain = "n/a" if self.drain_seconds is None else f"{self.drain_seconds:.1f}s"
        design = ", ".join(f"{k} {v}" for k, v in sorted(self.by_design.items())) or "none"
        failed = ", ".join(f"{k} x{v}" for k, v in sorted(self.failed_attempts.items(), key=str)) or "none"
        lines = [
            f"{title}: sent {self.sent}, acknowledged {self.acknowledged}, retried {self.retried} requests of "
            f"{self.requests} ({self.attempts} attempts), lost {self.lost_total}, doubled {self.doubled_total}, "
            f"drain {drain}",
            f"  not scored by design (acknowledged): {design}; refused with 429: {self.refused_429} attempts; "
            f"never acknowledged: {self.unacknowledged} (of which scored: {self.indeterminate_scored})"
            + (f"; parked count above events sent: {self.parked_overcount}" if self.parked_overcount else ""),
            f"  failed attempts: {failed}",
        ]
        for label, items in (("lost", [f"{r}: {n}" for r, n in sorted(self.lost.items())]),
                             ("doubled", [f"{r}: {n}" for r, n in sorted(self.doubled.items())]),
                             ("phantom", self.phantom), ("mismatch", self.mismatches),
                             ("unaccounted", self.unaccounted), ("rejected", self.rejected)):
            if items:
                lines.append(f"  {label}: {'; '.join(items[:8])}{' ...' if len(items) > 8 else ''}")
        return "\n".join(lines)


def expected_pillars(model: ScoringModel, events: list[Sent], at: datetime) -> dict[str, float]:
    """The pure model applied to ``events`` (each once), read at ``at``."""
    state = RepState()
    for seq, event in enumerate(sorted(events, key=lambda e: (e.time, e.key))):
        apply_event(model, state, event_type=event.type, source=event.source, event_time=event.time.timestamp(),
                    seq=seq, data=event.data)
    return evaluate(model, state, at.timestamp()).pillars


def _compare(label: str, got: dict[str, float], want: dict[str, float]) -> list[str]:
    return [f"{label} {p}: {got.get(p)} != model {want[p]}" for p in PILLARS
            if got.get(p) is None or abs(got[p] - want[p]) > TOLERANCE]


def check(model: ScoringModel, sent: dict[Key, Sent], attempts: list[Attempt], observed: Observed,
          *, final: bool = True) -> Report:
    """Compare the history with what the product shows. ``final=False`` skips the model comparison and what
    is not scored by design (used while polling for the drain, which waits for every acknowledged event)."""
    report = Report(sent=len(sent), attempts=len(attempts))
    acked: set[Key] = set()
    per_request: Counter[tuple[str, int]] = Counter()
    for a in attempts:
        per_request[(a.client, a.request)] += 1
        if a.acknowledged:
            acked.update(a.keys)
        else:
            report.failed_attempts[str(a.status or a.error)] += 1
            if a.status == 429:
                report.refused_429 += 1
            elif a.status is not None and 400 <= a.status < 500:
                report.rejected.append(f"{a.client}#{a.request}: {a.status}")
    report.requests = len(per_request)
    report.retried = sum(1 for n in per_request.values() if n > 1)
    report.acknowledged = len(acked & set(sent))
    report.unacknowledged = len(set(sent) - acked)

    kinds = {k: kind(model, e) for k, e in sent.items()}
    design: Counter[str] = Counter(kinds[k] for k in acked if k in sent and kinds[k] != ACTIVITY)
    report.by_design = dict(design)

    # the ledger: only sent activity, for the rep and type it was sent with
    for key, row in observed.ledger.items():
        event = sent.get(key)
        if event is None:
            report.phantom.append(f"{key} scored for {row.rep} but never sent")
        elif kinds[key] != ACTIVITY:
            report.phantom.append(f"{key} ({kinds[key]}) scored for {row.rep}")
        elif (row.rep, row.type) != (event.rep, event.type):
            report.phantom.append(f"{key} scored as {row.rep}/{row.type}, sent as {event.rep}/{event.type}")

    # per rep: what it must hold (acknowledged activity, plus what was scored without an acknowledgement)
    should: dict[str, list[Sent]] = {}
    for key, event in sent.items():
        if kinds[key] != ACTIVITY:
            continue
        in_ledger = key in observed.ledger
        if key not in acked and not in_ledger:
            continue
        if key not in acked:
            report.indeterminate_scored += 1
        should.setdefault(event.rep or "", []).append(event)
        if key in acked and not in_ledger:
            report.missing_keys.append(key)
    missing = Counter(sent[k].rep or "" for k in report.missing_keys)
    for rep, events in sorted(should.items()):
        read = observed.scores.get(rep)
        counted = read.events if read else 0
        short = len(events) - counted
        lost = max(missing[rep], short)
        if lost > 0:
            report.lost[rep] = lost
        if counted > len(events):
            report.doubled[rep] = counted - len(events)
        if not final or read is None or lost or counted != len(events):
            continue
        report.mismatches += _compare(f"{rep} now", read.pillars, expected_pillars(model, events, read.at))
        at_read = observed.at_reads.get(rep)
        if at_read is not None:
            before = [e for e in events if e.time <= at_read.at]
            if at_read.events != len(before):
                report.mismatches.append(f"{rep} at {at_read.at.isoformat()}: {at_read.events} events, "
                                         f"{len(before)} sent before it")
            else:
                report.mismatches += _compare(f"{rep} at {at_read.at.isoformat()}", at_read.pillars,
                                              expected_pillars(model, before, at_read.at))
    for rep, read in observed.scores.items():
        if rep not in should and read.events:
            report.doubled[rep] = read.events  # a rep that should hold nothing

    if not final:
        return report
    # by design: where each acknowledged event that is not scored must be
    for key in sorted(acked & set(sent)):
        k = kinds[key]
        if k == DEAD_LETTER and key not in observed.dead_letters:
            report.unaccounted.append(f"{key} (unknown type {sent[key].type}) not in the dead-letter topic")
    # parked: the api shows a count per identity, not the events; a count below what was acknowledged means
    # events vanished. A count above what was sent is reported, not failed: the scorer's parking list keeps a
    # replayed copy of an event (after a crash) beside the original, and a claim releases both, which the
    # scorer's dedup then counts once
    parked_sent = Counter(sent[k].identity for k in acked & set(sent) if kinds[k] == PARKED)
    parked_all = Counter(e.identity for k, e in sent.items() if kinds[k] == PARKED)
    for identity, n in parked_sent.items():
        seen = observed.parked.get(identity or "", 0)
        if seen < n:
            report.unaccounted.append(f"identity {identity}: {n} acknowledged events parked, {seen} shown waiting")
        elif seen > parked_all[identity]:
            report.parked_overcount += seen - parked_all[identity]
    return report
