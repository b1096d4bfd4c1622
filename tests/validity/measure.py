"""The figures of a model on a world: Spearman with attainment, the ceiling, the raw-count baseline, the volume
players' ranks and the switcher's rise. Scores come from the pure functions here; the pipeline test feeds the
same figures with scores read from the api (``figures(world, scores)``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared.scoring import RepState, ScoringModel, apply_event, evaluate
from tests.validity.world import DAY, Rep, World, spearman


@dataclass(frozen=True)
class Figures:
    model: str
    spearman: float
    ceiling: float
    raw_count: float
    median: float
    volume_players: list[tuple[float, float]]
    """(score, percentile among all reps), one per volume player"""
    switcher: list[tuple[float, float, float]]
    """(score at the switch, score 4 weeks later, percentile 4 weeks later), one per switcher"""

    @property
    def share_of_ceiling(self) -> float:
        return self.spearman / self.ceiling if self.ceiling else 0.0

    def line(self) -> str:
        vp = max((p for _, p in self.volume_players), default=float("nan"))
        sw = "; ".join(f"{a:.1f} -> {b:.1f} (pct {p:.0f})" for a, b, p in self.switcher)
        return (f"{self.model:8s} spearman {self.spearman:5.2f} ({100 * self.share_of_ceiling:3.0f}% of ceiling "
                f"{self.ceiling:.2f}; raw count {self.raw_count:5.2f}; +{self.spearman - self.raw_count:.2f})  "
                f"median {self.median:5.1f}  highest volume player at pct {vp:4.0f}  switcher {sw}")


def fold(model: ScoringModel, events: list[tuple], state: RepState | None = None) -> RepState:
    state = state or RepState()
    for seq, (kind, source, at, data) in enumerate(events, start=state.events):
        apply_event(model, state, event_type=kind, source=source, event_time=at, seq=seq, data=data)
    return state


def percentile(value: float, population: list[float]) -> float:
    """Share of the population strictly below ``value``, in percent."""
    return 100.0 * sum(1 for v in population if v < value) / max(len(population) - 1, 1)


def pure_scores(model: ScoringModel, world: World, at: float | None = None) -> dict[str, float]:
    at = at if at is not None else world.end.timestamp()
    return {r.rep_id: evaluate(model, fold(model, r.events_until(at)), at).total for r in world.reps}


def _switch_at(world: World, rep: Rep) -> float:
    return (world.start + timedelta(days=rep.switch_day or 0)).timestamp()


def figures(model: ScoringModel, world: World, scores: dict[str, float] | None = None,
            switch_scores: dict[str, tuple[float, float, dict[str, float]]] | None = None) -> Figures:
    """``scores``: each rep's total at the world's end (default: the pure model's). ``switch_scores``: per
    switcher (score at the switch, score 4 weeks later, everyone's scores 4 weeks later); default: pure."""
    scores = scores if scores is not None else pure_scores(model, world)
    reps = world.reps
    totals = [scores[r.rep_id] for r in reps]
    ordinary = sorted(scores[r.rep_id] for r in reps if r.kind == "ordinary")
    median = sorted(totals)[len(totals) // 2]
    players = [(scores[r.rep_id], percentile(scores[r.rep_id], totals)) for r in world.of_kind("volume")]
    switched = []
    for rep in world.of_kind("switcher"):
        if switch_scores is not None:
            before, after, everyone = switch_scores[rep.rep_id]
        else:
            t0 = _switch_at(world, rep)
            t4 = t0 + 28 * DAY
            before = evaluate(model, fold(model, rep.events_until(t0)), t0).total
            everyone = pure_scores(model, world, t4)
            after = everyone[rep.rep_id]
        switched.append((before, after, percentile(after, list(everyone.values()))))
    return Figures(
        model=model.version,
        spearman=spearman(totals, [r.attainment for r in reps]),
        ceiling=world.ceiling,
        raw_count=spearman([float(r.activity_count) for r in reps], [r.attainment for r in reps]),
        median=median,
        volume_players=players,
        switcher=switched,
    )
