from datetime import UTC, datetime, timedelta

from services.scorer.sink.batching import newest_per_rep, newest_per_rep_day
from shared.scores import ScoreSnapshot

DAY1 = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)


def snap(rep: str, seq: int, at: datetime = DAY1) -> ScoreSnapshot:
    pillars = {"brand": 1.0, "people": 0.0, "insights": 0.0, "relationships": 0.0}
    return ScoreSnapshot(
        tenant_id="t", rep_id=rep, model_version="m", as_of=at, seq=seq, events=seq, pillars=pillars, total=1.0,
        basis={"anchor": 0.0, "values": {}},
    )


def test_newest_snapshot_per_rep_wins_whatever_the_order_and_repeats() -> None:
    batch = [snap("a", 3), snap("b", 1), snap("a", 5), snap("a", 4), snap("a", 5)]
    assert {(s.rep_id, s.seq) for s in newest_per_rep(batch)} == {("a", 5), ("b", 1)}
    assert {(s.rep_id, s.seq) for s in newest_per_rep(list(reversed(batch)))} == {("a", 5), ("b", 1)}


def test_one_history_point_per_rep_and_day() -> None:
    day2 = DAY1 + timedelta(hours=2)
    batch = [snap("a", 1), snap("a", 2), snap("a", 3, day2), snap("a", 4, day2)]
    assert sorted((s.as_of.date().isoformat(), s.seq) for s in newest_per_rep_day(batch)) == [
        ("2026-11-01", 2),
        ("2026-11-02", 4),
    ]
