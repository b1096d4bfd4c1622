"""A new model version rebuilds each rep by replaying the activity topic: what the topic keeps decides the score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.kafka_topics import activity_retention_days
from shared.scoring import RepState, apply_event, evaluate, load_packaged_model
from tests.scenarios import STEADY_WEEK, weeks_of

END = datetime(2026, 11, 20, 18, tzinfo=UTC)


def replay(model, events: list[dict], kept_days: float):  # type: ignore[no-untyped-def]
    """The scorer's rebuild: every record still in the topic (arrived within ``kept_days``), in topic order."""
    cutoff = END - timedelta(days=kept_days)
    state = RepState()
    for seq, e in enumerate(events):
        at = datetime.fromisoformat(e["time"])
        if at >= cutoff:
            apply_event(model, state, event_type=e["type"], source=e["source"], event_time=at.timestamp(), seq=seq,
                        data=e["data"])
    return evaluate(model, state, END.timestamp())


@pytest.mark.parametrize("version", ["ssi-v2", "ssi-v3"])
def test_a_replay_of_the_retained_history_rebuilds_a_steady_12_week_rep_to_the_same_score(version: str) -> None:
    model = load_packaged_model(f"{version}.toml")
    events = weeks_of("steady", STEADY_WEEK, 12, END)
    live = replay(model, events, kept_days=10_000)
    thirty_days = replay(model, events, kept_days=30)
    rebuilt = replay(model, events, kept_days=activity_retention_days())
    print(f"\n{version}: live {live.total}, rebuilt from 30 days {thirty_days.total}, "
          f"from {activity_retention_days()} days {rebuilt.total}")
    assert rebuilt == live
    assert thirty_days.total < live.total - 5  # what the old 30-day retention cost


def test_the_activity_topic_keeps_the_horizon_of_every_packaged_model() -> None:
    from shared.scoring.state import idle_after_seconds

    for version in ("ssi-v2", "ssi-v3"):
        horizon = idle_after_seconds(load_packaged_model(f"{version}.toml")) / 86_400
        assert activity_retention_days() >= horizon
