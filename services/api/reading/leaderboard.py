"""The leaderboard: a tenant's reps in the order of their total or of one pillar, walked page by page.

Vocabulary:
- a **sort** is a key (``total``, a pillar or ``rep_id``) and a direction; ties on the key are ordered by rep_id
  in the same direction, so the order is total.
- a **section**: with a score key, reps with a stored score come first (section 0) and directory reps without
  one after them (section 1, total and pillars null, in ascending rep_id whatever the direction). Sorting by
  ``rep_id`` has one section: every rep.
- a **position** is where a page ended: (section, key value, rep_id). The next page starts strictly after it.
- a **walk** is the pages read by following cursors from a first page. Its first page pins a **snapshot**: the
  Postgres snapshot its statement read (``pg_current_snapshot()``), carried in every cursor of the walk with the
  time it was taken. Later pages sort the scores **as of that snapshot**: a rep whose stored score changed
  since (a row of ``rep_score_changes``, written by a trigger with the writing transaction's id, that the
  snapshot does not see) is read with its value before the first such change, and a rep first scored since is
  a rep without a score. So the order does not move under a walk, and each rep appears once in it.
- a **cursor** is a position and the walk's snapshot sealed for the client: base64url of them, a dot, and an
  HMAC-SHA256 tag over the tenant, the sort and the filters and the payload, with a key derived from
  SSI_SECRET_KEY. A cursor from another tenant, sort or filter set, or altered in any byte, is refused; one
  older than SSI_API_CURSOR_SECONDS is expired (the change log it needs is kept by the sink for
  SSI_SINK_WALK_LOG_SECONDS, which must be longer).

Totals and pillars are the stored ones (``rep_scores``): as of the scorer's last snapshot of the rep, or of
the sink's last re-read with decay (every SSI_SINK_REFRESH_SECONDS); each item says when (``as_of``), and in a
walk they are those of its first page's snapshot. Limits: the directory is not pinned (a rep added to or
removed from it, or moved to another team, during a walk shows its current entry, and a team or industry filter
uses the current one), and an erased rep leaves the walk.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.api import repository
from services.api.reading import read_models, targets
from services.api.reading.ranks import RankPolicy, ranks
from services.api.reading.rep_score import stored_counts
from services.api.repository import SCORED, UNSCORED
from shared.events import REP_ID_PATTERN
from shared.scoring import PILLARS

SCORE_KEYS = ("total", *PILLARS)
SORT_KEYS = (*SCORE_KEYS, "rep_id")
DEFAULT_SORT = "-total"
_REP_ID = re.compile(REP_ID_PATTERN)
_CURSOR_CONTEXT = b"ssi-api leaderboard cursor v2"
MAX_CURSOR_CHARS = 2048
_SNAPSHOT = re.compile(r"\A[0-9]{1,20}:[0-9]{1,20}:(?:[0-9]{1,20}(?:,[0-9]{1,20})*)?\Z")
"""pg_snapshot's text form: xmin:xmax:xip,xip,... (the in-progress transaction ids)."""


class InvalidParameter(ValueError):
    """A query parameter the leaderboard refuses; ``name`` says which."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.detail = detail


class ExpiredCursor(ValueError):
    """A cursor of a walk whose first page is older than the cursors' validity."""

    def __init__(self, age: float, valid: float) -> None:
        super().__init__(f"this walk's cursor is {age:.0f} s old and cursors are valid for {valid:.0f} s; "
                         "start again without a cursor")
        self.detail = str(self)


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @classmethod
    def parse(cls, text: str) -> Sort:
        descending = text.startswith("-")
        key = text[1:] if descending else text
        if key not in SORT_KEYS:
            raise InvalidParameter(
                "sort", f"sort must be one of {', '.join(SORT_KEYS)}, with '-' in front for descending; got {text!r}")
        return cls(key, descending)

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key

    @property
    def by_score(self) -> bool:
        return self.key != "rep_id"


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    industry: str | None = None
    min_total: float | None = None
    max_total: float | None = None

    def __post_init__(self) -> None:
        for name in ("team", "industry"):
            if "\x00" in (getattr(self, name) or ""):  # Postgres text cannot hold it; no directory entry does
                raise InvalidParameter(name, f"{name} must not contain a NUL character")
        if self.industry is not None:  # the directory stores industries lower-cased
            object.__setattr__(self, "industry", self.industry.lower())
        if self.min_total is not None and self.max_total is not None and self.min_total > self.max_total:
            raise InvalidParameter("min_total", f"min_total ({self.min_total}) is above max_total ({self.max_total})")

    @property
    def needs_score(self) -> bool:
        """A total bound leaves out the reps without a score."""
        return self.min_total is not None or self.max_total is not None


@dataclass(frozen=True)
class Position:
    section: int
    value: float | None
    rep_id: str
    snapshot: str = "1:1:"
    """the walk's snapshot (pg_snapshot text), pinned by its first page"""
    pinned_at: int = 0
    """when the first page was read (Unix seconds)"""


def position_after(sort: Sort, row: dict[str, Any], snapshot: str, pinned_at: int) -> Position:
    """Where a page ends, from its last row, in the walk pinned at ``snapshot``."""
    if not sort.by_score:
        return Position(SCORED, None, row["rep_id"], snapshot, pinned_at)
    if row["total"] is None:
        return Position(UNSCORED, None, row["rep_id"], snapshot, pinned_at)
    return Position(SCORED, float(row[sort.key]), row["rep_id"], snapshot, pinned_at)


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _CURSOR_CONTEXT, hashlib.sha256).digest()


def _binding(tenant_id: str, sort: Sort, filters: Filters) -> bytes:
    return json.dumps([tenant_id, str(sort), filters.team, filters.industry, filters.min_total, filters.max_total],
                      separators=(",", ":")).encode()


def _tag(secret: str, binding: bytes, payload: bytes) -> bytes:
    return hmac.new(_key(secret), binding + b"\n" + payload, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # one spelling per value: the unused bits of the last character must be zero
        raise ValueError("not canonical base64url")
    return data


def seal(secret: str, tenant_id: str, sort: Sort, filters: Filters, position: Position) -> str:
    payload = json.dumps([position.section, position.value, position.rep_id, position.snapshot, position.pinned_at],
                         separators=(",", ":")).encode()
    return _b64(payload) + "." + _b64(_tag(secret, _binding(tenant_id, sort, filters), payload))


def open_cursor(secret: str, tenant_id: str, sort: Sort, filters: Filters, cursor: str) -> Position:
    """The position a cursor carries; InvalidParameter('cursor') unless this api sealed it for the same tenant,
    sort and filters."""
    refused = InvalidParameter("cursor", "cursor is not one this api gave for this tenant, sort and filters; "
                                         "start again without a cursor")
    if len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise refused
    encoded, tag = cursor.split(".")
    try:
        payload, given = _unb64(encoded), _unb64(tag)
    except ValueError:
        raise refused from None
    if not hmac.compare_digest(given, _tag(secret, _binding(tenant_id, sort, filters), payload)):
        raise refused
    try:
        section, value, rep_id, snapshot, pinned_at = json.loads(payload)
    except (ValueError, TypeError):
        raise refused from None
    # sealed by us, so well formed; checked all the same, since a leaked key must not reach the SQL with junk
    if section not in (SCORED, UNSCORED) or not isinstance(rep_id, str) or not _REP_ID.fullmatch(rep_id):
        raise refused
    if not isinstance(snapshot, str) or not _SNAPSHOT.fullmatch(snapshot):
        raise refused
    if isinstance(pinned_at, bool) or not isinstance(pinned_at, int) or not 0 <= pinned_at < 2**40:
        raise refused
    if sort.by_score and section == SCORED:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise refused
        value = float(value)
    elif value is not None or (not sort.by_score and section != SCORED):
        raise refused
    return Position(section, value, rep_id, snapshot, pinned_at)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    snapshot: str = ""
    """the Postgres snapshot the page's scores are as of (pg_snapshot text; empty for an empty page)"""


async def read_page(
    conn: AsyncConnection,
    *,
    policy: RankPolicy,
    secret: str,
    tenant_id: str,
    sort: Sort,
    filters: Filters,
    cursor: str | None,
    limit: int,
    model_version: str,
    cursor_seconds: float,
    now: datetime | None = None,
) -> Page:
    """One page of the leaderboard, and the cursor of the next one (None on the last page); the scores of the
    active model version only (rows are kept per version, migration 0012). A first page pins the walk's
    snapshot; a later one reads the scores as of it. ExpiredCursor for a walk older than ``cursor_seconds``."""
    now = now or datetime.now(UTC)
    after = None if cursor is None else open_cursor(secret, tenant_id, sort, filters, cursor)
    if after is not None and now.timestamp() - after.pinned_at > cursor_seconds:
        raise ExpiredCursor(now.timestamp() - after.pinned_at, cursor_seconds)
    rows = await repository.leaderboard_page(
        conn, tenant_id, key=sort.key, descending=sort.descending, team=filters.team, industry=filters.industry,
        min_total=filters.min_total, max_total=filters.max_total,
        after=None if after is None else (after.section, after.value, after.rep_id), limit=limit + 1,
        model_version=model_version, snapshot=None if after is None else after.snapshot,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if after is not None:  # the walk goes on in its snapshot
        snapshot, pinned_at = after.snapshot, after.pinned_at
    else:  # a first page pins the snapshot its statement read
        snapshot, pinned_at = (rows[0]["snapshot"] if rows else ""), int(now.timestamp())
    stored = await read_models.tenant_targets(conn, tenant_id) if rows else {}
    milestones = {team: targets.from_json(m) for team, m in stored.items()}
    today = now.date()
    items = [rep_item(row, policy, milestones, today) for row in rows]
    next_cursor = seal(secret, tenant_id, sort, filters, position_after(sort, rows[-1], snapshot, pinned_at)) \
        if more else None
    return Page(items, next_cursor, snapshot)


def rep_item(row: Any, policy: RankPolicy, milestones: dict[str, list[targets.Milestone]],
             today: date) -> dict[str, Any]:
    """A leaderboard row as the api answers it: stored total and pillars, ranks from the stored cohort counts,
    progress towards the team's target (else the tenant's)."""
    total = row["total"]
    scored = total is not None
    target = milestones.get(row["team"] or "") or milestones.get(read_models.TENANT_TARGET)
    return {
        "rep_id": row["rep_id"], "name": row["name"], "team": row["team"], "industry": row["industry"],
        "total": total,
        "pillars": {p: row[p] for p in PILLARS} if scored else None,
        "as_of": row["as_of"],
        "ranks": _ranks(tuple(row[c] for c in _COUNT_COLUMNS), policy, row["ranked_at"]) if scored else None,
        "target": _progress(tuple(target), total, row["trend_per_day"], today) if scored and target else None,
    }


_COUNT_COLUMNS = ("ranked_at", "team_below", "team_size", "tenant_below", "tenant_size", "industry_below",
                  "industry_size", "industry_tenants")


def _ranks(counts: tuple, policy: RankPolicy, ranked_at: Any) -> dict | None:
    found = _ranks_of_counts(counts[1:], policy) if counts[0] is not None else None
    return None if found is None else {**found, "as_of": ranked_at}


@functools.lru_cache(maxsize=8192)
def _ranks_of_counts(counts: tuple, policy: RankPolicy) -> dict:
    """The ranks of a row's stored cohort counts: a page's reps share few count sets across requests, so each is
    worked out once (the dicts returned are shared: read only)."""
    names = _COUNT_COLUMNS[1:]
    return ranks(stored_counts({"ranked_at": True, **dict(zip(names, counts, strict=True))}), policy)


@functools.lru_cache(maxsize=8192)
def _progress(milestones: tuple, total: float, trend: float | None, today: date) -> dict | None:
    """targets.progress, once per (target, total, trend, day): the same page is read again and again."""
    return targets.progress(milestones, total, trend, today)
