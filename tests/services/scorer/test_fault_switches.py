"""The scorer's test-only fault switches: where they fire, and that only SSI_ENV=test accepts them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.scorer.config import ScorerSettings
from services.scorer.fault_switches import FaultSwitches


def test_the_drop_switch_fires_on_the_batch_holding_the_nth_record_only() -> None:
    switches = FaultSwitches(drop_batch_at=7)
    assert [switches.drops(n) for n in (3, 3, 3, 3)] == [False, False, True, False]


def test_the_double_switch_fires_on_the_nth_scored_record_only() -> None:
    switches = FaultSwitches(double_at=2)
    assert [switches.applies_twice() for _ in range(4)] == [False, True, False, False]
    assert not any(FaultSwitches().applies_twice() or FaultSwitches().drops(5) for _ in range(3))


@pytest.mark.parametrize("variable", ["SSI_SCORER_TEST_KILL_AT_RECORD", "SSI_SCORER_TEST_DROP_BATCH_AT_RECORD",
                                      "SSI_SCORER_TEST_DOUBLE_AT_RECORD"])
@pytest.mark.parametrize("env", ["dev", "production"])
def test_every_switch_is_refused_outside_the_tests(monkeypatch: pytest.MonkeyPatch, variable: str, env: str) -> None:
    monkeypatch.setenv("SSI_ENV", env)
    monkeypatch.setenv(variable, "5")
    if env == "production":  # production's own checks want real credentials first
        monkeypatch.setenv("SSI_DATABASE_URL", "postgresql+asyncpg://ssi:pw@db.internal/ssi")
        monkeypatch.setenv("SSI_SECRET_KEY", "x" * 43 + "=")
        monkeypatch.setenv("SSI_KAFKA_BOOTSTRAP", "kafka.internal:9092")
        monkeypatch.setenv("SSI_KAFKA_ALLOW_PLAINTEXT", "true")
    with pytest.raises(ValidationError, match="refused unless SSI_ENV=test"):
        ScorerSettings()
    monkeypatch.setenv("SSI_ENV", "test")
    assert ScorerSettings()
