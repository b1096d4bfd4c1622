"""Fault injection for the tests only: settings refuse every switch unless SSI_ENV=test (services.scorer.config).

The fault tests (tests/faults) start a copy of the pipeline with one switch on and show that the history
checker reports what it did: a batch dropped unscored (its offsets still committed: every event in it is lost)
and one record applied twice (its event counted twice in the rep's state and score; the ledger, keyed by
event, keeps one row). The kill switch (SIGKILL inside a batch) is in services.scorer.agents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FaultSwitches:
    drop_batch_at: int | None = None
    """Drop, unscored, the batch that holds the N-th activity record the worker receives."""
    double_at: int | None = None
    """Apply the N-th record the worker scores a second time."""
    received: int = 0
    scored: int = 0

    def drops(self, batch_size: int) -> bool:
        """Count a batch in; True when it is the one to drop."""
        first, self.received = self.received, self.received + batch_size
        return self.drop_batch_at is not None and first < self.drop_batch_at <= self.received

    def applies_twice(self) -> bool:
        """Count a scored record; True when it is the one to apply again."""
        self.scored += 1
        return self.double_at is not None and self.scored == self.double_at
