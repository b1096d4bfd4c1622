"""A rep's scoring state and the pure functions that update and read it, at constant cost per event.

Per activity type and UTC day ``d`` the state keeps two sums over that day's events (i):
    Q = sum(q_i)                                  quality units, which saturate: g(Q) = cap * (1 - exp(-Q/cap))
    S = sum(q_i * 2^((t_i - day_start) / h))      the same units, each decayed from its own time
and the bucket's value at instant t is  weight * g(Q)/Q * S * 2^(-(t - day_start)/h)  (pillar half-life h).
Each event keeps its own timestamp and its share q_i/Q of the day's saturated return.

The state also keeps, per term (for ssi-v2 the four pillars), the sum of all its buckets' values expressed at
the ``anchor`` instant (the newest event time seen). An event changes one bucket: its old value is taken out
of the term and its new value put in, and moving the anchor forward decays each term with one
multiplication. Reading a score is then O(terms): ``values[p] * 2^(-(at - anchor)/h)``. Nothing scans the
buckets: days that leave the late window are dropped whole (their value already sits in the term) and are
never touched again.

Exactness, stated exactly: for events whose UTC day is at least ``floor(anchor / 86400) - late_window_days``
when they arrive (anchor = the rep's newest event time at that moment), the values depend only on the set of
events, never on their order (up to floating-point rounding, far below 1e-9 relative). An event whose day is
older than that is scored on its own: it is not saturated together with the other events of its day, so
its value can exceed what the same event would have added on time (by at most what saturation would have
taken off), and the result then depends on arrival order. ``tests/shared/test_scoring.py`` pins both.
A pillar's value v maps to points with 25 * (1 - exp(-v / scale)): 0 for nothing, 25 never quite reached.

ssi-v3 (a model with ``[rates]``) adds terms, still O(1) per event and still order-free in the same sense:
- per rate channel two counters, "asked" and "answered": each event of a listed type adds its amount decayed
  from its UTC day's start (a plain sum of exponentials: exact in any order, with no window limit);
- per (pillar, channel) the channel's one-way value: a rated one-way type's bucket is shared out of its pillar's
  daily budget, B(W)/W with W the day's saturated units of the pillar's rated types, so an event re-values the
  rated buckets of one pillar and one day (a handful), out of the term and back in;
- reading combines them: pillar = its own term + sum over channels of worth(rate) * the channel's one-way term.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any

from shared.scoring.model import PILLAR_MAX, PILLARS, ActivityParams, ScoringModel
from shared.scoring.quality import event_quality

DAY_SECONDS = 86_400.0
_LN2 = math.log(2.0)


class Unscorable(ValueError):
    """The event cannot be scored by this model; the reason says why (it goes to the dead-letter topic)."""


class Outcome:
    """Marker: the type is a CRM outcome, kept for validation but not scored as activity."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A model's numbers laid out for the hot path: types and terms by index."""

    types: tuple[str, ...]
    type_index: dict[str, int]
    terms: tuple[str, ...]
    """The state's accumulators, in order: the four pillars first; ssi-v3 adds, per rate channel, the one-way
    value of each pillar it feeds ("people@connections") and its two counters ("asked@connections",
    "answered@connections")."""
    type_term: tuple[int, ...]
    type_weight: tuple[float, ...]
    type_cap: tuple[float | None, ...]
    type_rate: tuple[float, ...]
    """ln 2 / half-life of the type's pillar, per second."""
    term_rate: tuple[float, ...]
    window: int
    type_budget: tuple[float | None, ...] = ()
    """The daily budget of the type's pillar when the type is rated one-way activity (ssi-v3), else None."""
    budget_types: tuple[tuple[int, ...], ...] = ()
    """Per type: the rated types sharing its pillar's daily budget (itself included); () when not budgeted."""
    type_counters: tuple[tuple[tuple[int, float], ...], ...] = ()
    """Per type: (counter term, amount) pairs the type adds to (asked for one-way, answered for responses)."""
    scaled: tuple[tuple[int, int, int], ...] = ()
    """(pillar index, one-way term index, channel index): pillar value += worth(channel) * term."""
    channels: tuple[tuple[str, int, int, float, float, float, float], ...] = ()
    """(name, asked term, answered term, alpha, beta, reference, max_worth)."""


_COMPILED: dict[int, tuple[ScoringModel, Compiled]] = {}


def compiled(model: ScoringModel) -> Compiled:
    hit = _COMPILED.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    types = tuple(sorted(model.activities))
    acts = [model.activities[t] for t in types]
    terms = list(PILLARS)
    term_rate = [_LN2 / model.half_life_seconds(p) for p in PILLARS]
    type_term = [PILLARS.index(a.pillar) for a in acts]
    counters: list[list[tuple[int, float]]] = [[] for _ in types]
    scaled: list[tuple[int, int, int]] = []
    channels = []
    for ci, (name, rate) in enumerate(model.rates.items()):
        counter_rate = _LN2 / (rate.half_life_days * DAY_SECONDS)
        asked, answered = len(terms), len(terms) + 1
        terms += [f"asked@{name}", f"answered@{name}"]
        term_rate += [counter_rate, counter_rate]
        channels.append((name, asked, answered, rate.alpha, rate.beta, rate.reference, rate.max_worth))
        for kind, amount in rate.one_way.items():
            counters[types.index(kind)].append((asked, amount))
        for kind, amount in rate.responses.items():
            counters[types.index(kind)].append((answered, amount))
        for pillar in PILLARS:
            members = [i for i, t in enumerate(types) if t in rate.one_way and acts[i].pillar == pillar]
            if not members:
                continue
            term = len(terms)
            terms.append(f"{pillar}@{name}")
            term_rate.append(_LN2 / model.half_life_seconds(pillar))
            scaled.append((PILLARS.index(pillar), term, ci))
            for i in members:
                type_term[i] = term
    rated = [model.rate_of(t) is not None for t in types]
    budget = [model.pillars[a.pillar].daily_budget if r else None for a, r in zip(acts, rated, strict=True)]
    budget_types = tuple(
        tuple(j for j in range(len(types)) if budget[j] is not None and acts[j].pillar == a.pillar)
        if budget[i] is not None else ()
        for i, a in enumerate(acts)
    )
    c = Compiled(
        types=types,
        type_index={t: i for i, t in enumerate(types)},
        terms=tuple(terms),
        type_term=tuple(type_term),
        type_weight=tuple(a.weight for a in acts),
        type_cap=tuple(a.daily_cap for a in acts),
        type_rate=tuple(_LN2 / model.half_life_seconds(a.pillar) for a in acts),
        term_rate=tuple(term_rate),
        window=model.late_window_days,
        type_budget=tuple(budget),
        budget_types=budget_types,
        type_counters=tuple(tuple(x) for x in counters),
        scaled=tuple(scaled),
        channels=tuple(channels),
    )
    _COMPILED[id(model)] = (model, c)
    return c


_HEADER = struct.Struct("<BdqiqB")  # format, anchor, seq, partition, events, number of terms
_BUCKET = struct.Struct("<iBdd")  # day, type index, Q, S
_FORMAT = 1


@dataclass(slots=True, eq=True)
class RepState:
    """Mutable on purpose: the scorer applies a batch of a rep's events to one decoded state, then encodes it
    once. ``days`` holds the late window only: {epoch day: {type index: [Q, S]}}."""

    anchor: float = 0.0
    """Epoch seconds of the newest event applied; ``values`` are expressed at this instant."""
    values: list[float] = field(default_factory=lambda: [0.0] * len(PILLARS))
    """One per term of the model (``Compiled.terms``); a fresh state grows to the model's terms when first used."""
    days: dict[int, dict[int, list[float]]] = field(default_factory=dict)
    seq: int = -1
    """Offset of the last input record applied (in ``partition``): a replay at or below it is not applied."""
    partition: int = -1
    events: int = 0

    @property
    def bucket_count(self) -> int:
        return sum(len(types) for types in self.days.values())

    def to_bytes(self) -> bytes:
        """Compact encoding: 34 bytes of header, 8 per term, 21 per (day, type) bucket; no key strings."""
        parts = [_HEADER.pack(_FORMAT, self.anchor, self.seq, self.partition, self.events, len(self.values)),
                 struct.pack(f"<{len(self.values)}d", *self.values),
                 struct.pack("<H", self.bucket_count)]
        pack = _BUCKET.pack
        parts += [pack(day, t, qs[0], qs[1]) for day, types in self.days.items() for t, qs in types.items()]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> RepState:
        if not raw:
            return cls()
        fmt, anchor, seq, partition, events, n = _HEADER.unpack_from(raw, 0)
        if fmt != _FORMAT:
            raise ValueError(f"rep state format {fmt} is not {_FORMAT}")
        at = _HEADER.size
        values = list(struct.unpack_from(f"<{n}d", raw, at))
        at += 8 * n
        (count,) = struct.unpack_from("<H", raw, at)
        at += 2
        days: dict[int, dict[int, list[float]]] = {}
        for day, t, q, s in _BUCKET.iter_unpack(raw[at : at + count * _BUCKET.size]):
            days.setdefault(day, {})[t] = [q, s]
        return cls(anchor=anchor, values=values, days=days, seq=seq, partition=partition, events=events)

    def basis(self, model: ScoringModel) -> Basis:
        terms = compiled(model).terms
        values = list(self.values) + [0.0] * (len(terms) - len(self.values))
        return Basis(anchor=self.anchor, values=dict(zip(terms, values, strict=True)))


@dataclass(frozen=True, slots=True)
class Basis:
    """What reading a score needs, without the buckets: each term's value at ``anchor``. The score topic and
    ``rep_scores.state`` carry it, so the sink and the api evaluate at any later instant in O(terms)."""

    anchor: float
    values: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {"anchor": self.anchor, "values": self.values}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Basis:
        return cls(anchor=float(raw["anchor"]), values={k: float(v) for k, v in raw["values"].items()})


@dataclass(frozen=True, slots=True)
class Score:
    pillars: dict[str, float]
    total: float


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one event adds to its day's bucket; the ledger keeps it for explanations and ``at`` reads."""

    pillar: str
    day: int
    quality: float
    decayed: float


def classify(model: ScoringModel, event_type: str) -> type[Outcome] | str:
    """The pillar an activity type feeds, ``Outcome`` for CRM outcomes; raises ``Unscorable`` otherwise."""
    if event_type in model.outcomes:
        return Outcome
    params = model.activities.get(event_type)
    if params is None:
        raise Unscorable(f"type {event_type!r} is not in scoring model {model.version}")
    return params.pillar


def saturate(activity: ActivityParams, q: float) -> float:
    """g(Q): concave daily returns; the 200th reaction of a day adds almost nothing."""
    if activity.daily_cap is None:
        return q
    return activity.daily_cap * -math.expm1(-q / activity.daily_cap)


def bucket_value(model: ScoringModel, event_type: str, day: int, q: float, s: float, at: float) -> float:
    activity = model.activities[event_type]
    if q <= 0:
        return 0.0
    h = model.half_life_seconds(activity.pillar)
    return activity.weight * saturate(activity, q) / q * s * math.pow(2.0, -(at - day * DAY_SECONDS) / h)


def _value(c: Compiled, t: int, day: int, q: float, s: float, at: float) -> float:
    """``bucket_value`` by type index, for the hot path."""
    if q <= 0:
        return 0.0
    cap = c.type_cap[t]
    g = q if cap is None else cap * -math.expm1(-q / cap)
    return c.type_weight[t] * g / q * s * math.exp(-(at - day * DAY_SECONDS) * c.type_rate[t])


def _units(c: Compiled, t: int, q: float) -> float:
    """weight * g(Q): the type's saturated units of one day, what the pillar's daily budget counts."""
    cap = c.type_cap[t]
    return c.type_weight[t] * (q if cap is None else cap * -math.expm1(-q / cap))


def _budget_factor(budget: float, w: float) -> float:
    """B(W)/W with B(W) = budget * (1 - exp(-W / budget)): 1 for little, budget/W for a lot."""
    return budget * -math.expm1(-w / budget) / w if w > 0 else 1.0


def _budgeted(c: Compiled, t: int, day: int, types: dict[int, list[float]], at: float) -> list[tuple[int, float]]:
    """(term, value) of each rated type of ``t``'s pillar on ``day``: the pillar's daily budget shared in
    proportion to the types' units. O(rated types of one pillar)."""
    members = [(u, types[u]) for u in c.budget_types[t] if u in types]
    w = sum(_units(c, u, qs[0]) for u, qs in members)
    f = _budget_factor(c.type_budget[t], w)  # type: ignore[arg-type]
    return [(c.type_term[u], f * _value(c, u, day, qs[0], qs[1], at)) for u, qs in members]


def day_values(model: ScoringModel, day: int, sums: dict[str, tuple[float, float]], at: float) -> dict[str, float]:
    """Each type's value at ``at`` from one day's (Q, S) sums, the pillar's daily budget applied (before any
    response rate). What the state adds up; the api's point-in-time reads apply it to the ledger's sums."""
    c = compiled(model)
    types = {c.type_index[k]: [q, s] for k, (q, s) in sums.items() if k in c.type_index}
    out: dict[str, float] = {}
    for t, (q, s) in types.items():
        if c.type_budget[t] is None:
            out[c.types[t]] = _value(c, t, day, q, s, at)
        else:
            members = [(u, types[u]) for u in c.budget_types[t] if u in types]
            f = _budget_factor(c.type_budget[t], sum(_units(c, u, qs[0]) for u, qs in members))  # type: ignore[arg-type]
            out[c.types[t]] = f * _value(c, t, day, q, s, at)
    return out


def counter_amounts(model: ScoringModel, event_type: str) -> dict[str, float]:
    """The rate counters (term name -> amount) one event of this type adds to."""
    c = compiled(model)
    return {c.terms[i]: a for i, a in c.type_counters[c.type_index[event_type]]}


def contribution(
    model: ScoringModel, *, event_type: str, source: str, event_time: float, data: dict[str, Any] | None
) -> Contribution:
    """Raises ``Unscorable`` for a type the model does not score as activity."""
    if classify(model, event_type) is Outcome:
        raise Unscorable(f"type {event_type!r} is an outcome, not an activity")
    activity = model.activities[event_type]
    q = event_quality(model, event_type, source, data)
    day = math.floor(event_time / DAY_SECONDS)
    h = model.half_life_seconds(activity.pillar)
    return Contribution(activity.pillar, day, q, q * math.pow(2.0, (event_time - day * DAY_SECONDS) / h))


def apply_event(
    model: ScoringModel,
    state: RepState,
    *,
    event_type: str,
    source: str,
    event_time: float,
    seq: int,
    data: dict[str, Any] | None = None,
    partition: int = 0,
) -> RepState:
    """Add one activity to the state (in place; the state is returned). Raises ``Unscorable`` for a type the
    model does not score."""
    c = contribution(model, event_type=event_type, source=source, event_time=event_time, data=data)
    return apply_contribution(model, state, c, event_type=event_type, event_time=event_time, seq=seq,
                              partition=partition)


def advance(c: Compiled, state: RepState, anchor: float) -> None:
    """Move the anchor forward: one multiplication per term, and the days that leave the late window are
    dropped whole (each day once, in the step that passes it)."""
    if anchor <= state.anchor:
        return
    dt = anchor - state.anchor
    values = state.values
    for i, rate in enumerate(c.term_rate):
        if values[i]:
            values[i] *= math.exp(-dt * rate)
    # invariant: every day kept is >= floor(anchor / day) - window, so only the days passed now can go
    old_first = math.floor(state.anchor / DAY_SECONDS) - c.window
    first_day = math.floor(anchor / DAY_SECONDS) - c.window
    if first_day > old_first and state.days:
        if first_day - old_first <= c.window + 1:
            for day in range(old_first, first_day):
                state.days.pop(day, None)
        else:  # a jump longer than the window: everything kept leaves it
            state.days.clear()
    state.anchor = anchor


def apply_contribution(
    model: ScoringModel,
    state: RepState,
    c: Contribution,
    *,
    event_type: str,
    event_time: float,
    seq: int,
    partition: int = 0,
) -> RepState:
    k = compiled(model)
    t = k.type_index[event_type]
    term = k.type_term[t]
    values = state.values
    if len(values) < len(k.terms):
        values.extend([0.0] * (len(k.terms) - len(values)))
    if state.events == 0:
        state.anchor = event_time
    else:
        advance(k, state, event_time)
    anchor = state.anchor
    day_start = c.day * DAY_SECONDS
    for i, amount in k.type_counters[t]:  # rate counters: exact whatever the order, decayed from the event's day
        values[i] += amount * math.exp(-(anchor - day_start) * k.term_rate[i])
    budget = k.type_budget[t]
    if c.day < math.floor(anchor / DAY_SECONDS) - k.window:  # later than the window: scored on its own
        alone = _value(k, t, c.day, c.quality, c.decayed, anchor)
        if budget is not None:
            alone *= _budget_factor(budget, _units(k, t, c.quality))
        values[term] += alone
    else:
        types = state.days.get(c.day)
        if types is None:
            types = state.days[c.day] = {}
        if budget is not None:
            for i, v in _budgeted(k, t, c.day, types, anchor):
                values[i] -= v
        qs = types.get(t)
        if qs is None:
            old = 0.0
            qs = types[t] = [c.quality, c.decayed]
        else:
            old = 0.0 if budget is not None else _value(k, t, c.day, qs[0], qs[1], anchor)
            qs[0] += c.quality
            qs[1] += c.decayed
        if budget is not None:
            for i, v in _budgeted(k, t, c.day, types, anchor):
                values[i] += v
        else:
            values[term] += _value(k, t, c.day, qs[0], qs[1], anchor) - old
    if partition != state.partition or seq > state.seq:
        state.seq = seq
    state.partition = partition
    state.events += 1
    return state


def term_values(model: ScoringModel, basis: RepState | Basis, at: float) -> dict[str, float]:
    """Every term of the state (pillars, and for ssi-v3 one-way values and rate counters) decayed to ``at``."""
    k = compiled(model)
    if isinstance(basis, RepState):
        raw = list(basis.values) + [0.0] * (len(k.terms) - len(basis.values))
    else:
        raw = [basis.values.get(p, 0.0) for p in k.terms]
    dt = at - basis.anchor
    return {p: max(v, 0.0) * math.exp(-dt * rate) if v else 0.0 for p, v, rate in zip(k.terms, raw, k.term_rate)}


@dataclass(frozen=True, slots=True)
class RateReading:
    """One channel's response rate at an instant, and what it makes one-way activity worth."""

    channel: str
    noun: str
    verb: str
    asked: float
    answered: float
    rate: float
    worth: float

    def line(self) -> str:
        """e.g. "requests: 40, accepted 5%, worth x0.2" (decayed counts)."""
        return f"{self.noun}: {self.asked:.0f}, {self.verb} {100 * self.rate:.0f}%, worth x{self.worth:.2g}"


def _worth(channel: tuple[str, int, int, float, float, float, float], terms: list[float]) -> tuple[float, float]:
    _, asked, answered, alpha, beta, reference, max_worth = channel
    rate = (alpha + terms[answered]) / (alpha + beta + terms[asked])
    return rate, min(max_worth, rate / reference)


def rate_readings(model: ScoringModel, basis: RepState | Basis, at: float) -> list[RateReading]:
    """The rates behind a score (ssi-v3; empty for a model without rate channels)."""
    k = compiled(model)
    terms = list(term_values(model, basis, at).values())
    out = []
    for ch in k.channels:
        rate, worth = _worth(ch, terms)
        params = model.rates[ch[0]]
        out.append(RateReading(ch[0], params.noun, params.verb, terms[ch[1]], terms[ch[2]], rate, worth))
    return out


def combine(model: ScoringModel, terms: dict[str, float]) -> dict[str, float]:
    """Pillar values from term values: each channel's one-way value scaled by its worth. O(terms)."""
    k = compiled(model)
    raw = [terms.get(p, 0.0) for p in k.terms]
    values = {p: raw[i] for i, p in enumerate(PILLARS)}
    if k.channels:
        worth = [_worth(ch, raw)[1] for ch in k.channels]
        for pillar, term, ci in k.scaled:
            values[PILLARS[pillar]] += worth[ci] * raw[term]
    return values


def pillar_values(model: ScoringModel, basis: RepState | Basis, at: float) -> dict[str, float]:
    """Each pillar's decayed value at epoch-seconds ``at``, before the 0-25 curve; for ssi-v3 each channel's
    one-way value enters scaled by what its response rate makes it worth. O(terms)."""
    return combine(model, term_values(model, basis, at))


def points(model: ScoringModel, pillar: str, value: float) -> float:
    return PILLAR_MAX * -math.expm1(-max(value, 0.0) / model.pillars[pillar].scale)  # type: ignore[index]


def evaluate(model: ScoringModel, state: RepState | Basis, at: float) -> Score:
    """The score at epoch-seconds ``at``: decay applied from each event's time, then the saturating curve."""
    values = pillar_values(model, state, at)
    pillars = {p: round(points(model, p, values[p]), 2) for p in PILLARS}
    return Score(pillars=pillars, total=round(sum(pillars.values()), 2))


IDLE_HALF_LIVES = 12
"""After this many half-lives of its slowest pillar without an event, a rep's values are below 0.03 % of what
they were: its state may be dropped (the scorer's idle sweep), and it starts afresh if it comes back."""


def idle_after_seconds(model: ScoringModel) -> float:
    return IDLE_HALF_LIVES * model.horizon_half_life_days() * DAY_SECONDS


def peek(raw: bytes) -> tuple[float, int]:
    """(anchor, partition) of an encoded state, without decoding its buckets."""
    fmt, anchor, _seq, partition, _events, _n = _HEADER.unpack_from(raw, 0)
    if fmt != _FORMAT:
        raise ValueError(f"rep state format {fmt} is not {_FORMAT}")
    return anchor, partition


def stored_basis(model: ScoringModel, raw: dict[str, Any]) -> Basis:
    """The basis kept in ``rep_scores.state``. Rows written before snapshots carried a basis hold the whole
    state of that time (anchor, folded values, buckets): their basis is the same sum, computed here once."""
    if "values" in raw:
        return Basis.from_json(raw)
    values = {p: float(raw.get("folded", {}).get(p, 0.0)) for p in PILLARS}
    anchor = float(raw.get("anchor", 0.0))
    for key, (q, s) in raw.get("buckets", {}).items():
        day, _, kind = key.partition("|")
        activity = model.activities.get(kind)
        if activity is not None:
            values[activity.pillar] += bucket_value(model, kind, int(day), float(q), float(s), anchor)
    return Basis(anchor=anchor, values=values)


def terms_from_days(
    model: ScoringModel, days: dict[int, dict[str, tuple[float, float, int]]], at: float
) -> dict[str, float]:
    """Every term at ``at`` rebuilt from per-(day, type) sums (Q, S, number of events), as the ledger holds them:
    the same numbers the state adds up event by event, with every day treated as on time. O(buckets)."""
    k = compiled(model)
    out = dict.fromkeys(k.terms, 0.0)
    for day, sums in days.items():
        values = day_values(model, day, {t: (q, s) for t, (q, s, _) in sums.items()}, at)
        for kind, value in values.items():
            out[k.terms[k.type_term[k.type_index[kind]]]] += value
        for kind, (_, _, n) in sums.items():
            if kind not in k.type_index:
                continue
            for i, amount in k.type_counters[k.type_index[kind]]:
                out[k.terms[i]] += n * amount * math.exp(-(at - day * DAY_SECONDS) * k.term_rate[i])
    return out


def type_worth(model: ScoringModel, terms: dict[str, float]) -> dict[str, float]:
    """What each type's value is multiplied by when it enters its pillar: its channel's worth, else 1."""
    k = compiled(model)
    raw = [terms.get(p, 0.0) for p in k.terms]
    worth = {ch[0]: _worth(ch, raw)[1] for ch in k.channels}
    return {t: worth.get(model.rate_of(t) or "", 1.0) for t in k.types}
