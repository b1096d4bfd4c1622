"""SQL of the read API and the rep directory; every query is scoped by tenant (ranks across tenants return
counts only)."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Float, Integer, Text, and_, bindparam, case, cast, func, literal, null, select, tuple_, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import UserDefinedType

from services.api.reading.read_models import STANDING_COLUMNS, standing_columns
from shared.db.schema import rep_score_changes, rep_score_daily, rep_scores, rep_standings, reps, unclaimed_identities


class PgSnapshot(UserDefinedType):
    """Postgres' pg_snapshot (the text form xmin:xmax:xip,... casts to it)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "pg_snapshot"


async def current_score(
    conn: AsyncConnection, tenant_id: str, rep_id: str, *, model_version: str
) -> dict[str, Any] | None:
    """The rep's stored score of one model version (rows are kept per version, migration 0012)."""
    row = await conn.execute(
        select(rep_scores).where(rep_scores.c.tenant_id == tenant_id, rep_scores.c.rep_id == rep_id,
                                 rep_scores.c.model_version == model_version)
    )
    found = row.mappings().one_or_none()
    return dict(found) if found else None


async def daily_history(
    conn: AsyncConnection, tenant_id: str, rep_id: str, start: date, end: date, *, model_version: str
) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(rep_score_daily)
        .where(
            rep_score_daily.c.tenant_id == tenant_id,
            rep_score_daily.c.rep_id == rep_id,
            rep_score_daily.c.model_version == model_version,
            rep_score_daily.c.day >= start,
            rep_score_daily.c.day <= end,
        )
        .order_by(rep_score_daily.c.day)
    )
    return [dict(r) for r in rows.mappings()]


async def get_rep(conn: AsyncConnection, tenant_id: str, rep_id: str) -> dict[str, Any] | None:
    row = await conn.execute(select(reps).where(reps.c.tenant_id == tenant_id, reps.c.rep_id == rep_id))
    found = row.mappings().one_or_none()
    return dict(found) if found else None


async def put_rep(conn: AsyncConnection, tenant_id: str, rep_id: str, fields: dict[str, Any]) -> bool:
    """Create or replace a directory entry; True when it was created."""
    stmt = insert(reps).values(tenant_id=tenant_id, rep_id=rep_id, **fields)
    stmt = stmt.on_conflict_do_update(
        index_elements=[reps.c.tenant_id, reps.c.rep_id], set_={**fields, "updated_at": func.now()}
    ).returning(literal(True).label("done"), (reps.c.created_at == reps.c.updated_at).label("created"))
    row = (await conn.execute(stmt)).one()
    return bool(row.created)


async def rank_counts(
    conn: AsyncConnection, mine: float, cohort: str, tenant_id: str, rep: dict | None, *, model_version: str
) -> tuple[int, int] | None:
    """(members scoring lower, cohort size) for 'team' or 'tenant' (the caller's own reps); None if the rep has
    no such cohort. Directory reps without a score count as 0; the tenant cohort also holds scored reps not in it."""
    total = func.coalesce(rep_scores.c.total, 0.0)
    joined = reps.outerjoin(
        rep_scores, and_(rep_scores.c.tenant_id == reps.c.tenant_id, rep_scores.c.rep_id == reps.c.rep_id,
                         rep_scores.c.model_version == model_version)
    )
    if cohort == "team":
        if not rep or not rep.get("team"):
            return None
        members = select(total.label("total")).select_from(joined).where(
            reps.c.tenant_id == tenant_id, reps.c.team == rep["team"]
        )
    else:
        in_directory = select(total.label("total")).select_from(joined).where(reps.c.tenant_id == tenant_id)
        scored_only = select(rep_scores.c.total.label("total")).where(
            rep_scores.c.tenant_id == tenant_id,
            rep_scores.c.model_version == model_version,
            ~select(reps.c.rep_id)
            .where(reps.c.tenant_id == rep_scores.c.tenant_id, reps.c.rep_id == rep_scores.c.rep_id)
            .exists(),
        )
        members = union_all(in_directory, scored_only)
    sub = members.subquery()
    row = (
        await conn.execute(select(func.count().filter(sub.c.total < mine), func.count()).select_from(sub))
    ).one()
    return int(row[0]), int(row[1])


async def industry_counts(
    conn: AsyncConnection, mine: float, tenant_id: str, industry: str, *, model_version: str
) -> tuple[int, int, int]:
    """Across OTHER tenants only, reps of ``industry`` that have a score: (how many score lower than ``mine``,
    how many, from how many tenants). The caller's own reps never count: padding the directory (or scoring
    reps of one's own) changes nothing here."""
    others = reps.join(
        rep_scores, and_(rep_scores.c.tenant_id == reps.c.tenant_id, rep_scores.c.rep_id == reps.c.rep_id,
                         rep_scores.c.model_version == model_version)
    )
    row = (
        await conn.execute(
            select(
                func.count().filter(rep_scores.c.total < mine),
                func.count(),
                func.count(func.distinct(reps.c.tenant_id)),
            )
            .select_from(others)
            .where(reps.c.industry == industry, reps.c.tenant_id != tenant_id)
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def identity_holder(conn: AsyncConnection, tenant_id: str, platform: str, identity: str) -> str | None:
    row = await conn.execute(
        select(reps.c.rep_id).where(reps.c.tenant_id == tenant_id, reps.c.identities[platform].astext == identity)
    )
    return row.scalars().first()


async def unclaimed_identities_of(conn: AsyncConnection, tenant_id: str) -> list[dict[str, Any]]:
    t = unclaimed_identities
    rows = await conn.execute(
        select(t.c.platform, t.c.identity, t.c.parked.label("parked_events"), t.c.last_event_at)
        .where(t.c.tenant_id == tenant_id)
        .order_by(t.c.last_event_at.desc())
        .limit(1000)
    )
    return [dict(r) for r in rows.mappings()]


def _after(columns: tuple, values: tuple, descending: bool):  # type: ignore[no-untyped-def]
    """The keyset condition: rows strictly after ``values`` in the order of ``columns``."""
    left, right = (columns[0], values[0]) if len(columns) == 1 else (tuple_(*columns), tuple_(*values))
    return left < right if descending else left > right


SCORED, UNSCORED = 0, 1
"""The leaderboard's sections: reps with a stored score, then directory reps without one."""
SCORE_COLUMNS = ("total", "brand", "people", "insights", "relationships")


async def leaderboard_page(
    conn: AsyncConnection,
    tenant_id: str,
    *,
    key: str,
    descending: bool,
    team: str | None,
    industry: str | None,
    min_total: float | None,
    max_total: float | None,
    after: tuple[int, float | None, str] | None,
    limit: int,
    model_version: str,
    snapshot: str | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` reps of the tenant after ``after``, in one statement: the scored reps (rep_scores, walked
    on its (tenant_id, column, rep_id) index, joined to the directory) and the directory reps without a score
    (reps' primary key), each branch bounded by ``limit``, merged. See services.api.reading.leaderboard. The
    statement is built once per shape (sort, which filters, where the cursor is) with bound parameters: building
    it took most of a page's time.

    Every row carries ``snapshot``, the statement's Postgres snapshot (pg_current_snapshot()). With ``snapshot``
    given (a later page of a walk), the scores are those as of that snapshot: a rep whose stored score changed
    in a transaction the snapshot does not see is read with its value before the first such change
    (``rep_score_changes``, written by a trigger, migration 0014), one first scored since as one without a
    score."""
    statement = _leaderboard_statement(key, descending, team is not None, industry is not None,
                                       min_total is not None, max_total is not None,
                                       None if after is None else after[0], snapshot is not None)
    if statement is None:
        return []
    params = {"tenant_id": tenant_id, "model_version": model_version, "team": team, "industry": industry, "min_total": min_total,
              "max_total": max_total, "limit": limit, "snapshot": snapshot,
              "after_value": None if after is None else after[1], "after_rep": None if after is None else after[2]}
    rows = await conn.execute(statement, params)
    return rows.mappings().all()  # type: ignore[return-value]  # read only: RowMapping by column name


def _scores_as_of_snapshot(tenant_id, model_version):  # type: ignore[no-untyped-def]
    """rep_scores' sortable columns as a reader holding the snapshot ``:snapshot`` saw them: the current row of
    reps without a change the snapshot does not see, the values before the first such change of the others
    (none for a rep first scored since)."""
    ch, cur = rep_score_changes.c, rep_scores.c
    snap = cast(bindparam("snapshot", type_=Text), PgSnapshot())
    unseen = (
        select(ch.tenant_id, ch.rep_id, ch.model_version, *(ch[f"old_{c}"].label(c) for c in SCORE_COLUMNS),
               ch.old_as_of)
        .where(ch.tenant_id == tenant_id, ch.model_version == model_version,
               ch.xid >= func.pg_snapshot_xmin(snap), ~func.pg_visible_in_snapshot(ch.xid, snap))
        .distinct(ch.rep_id).order_by(ch.rep_id, ch.id)  # the first unseen change holds the value before it
        .cte("unseen")
    )
    u = unseen.c
    return union_all(
        select(cur.tenant_id, cur.rep_id, cur.model_version, *(cur[c] for c in SCORE_COLUMNS), cur.evaluated_at,
               cur.as_of)
        .where(cur.tenant_id == tenant_id, cur.model_version == model_version,
               cur.rep_id.not_in(select(u.rep_id))),
        select(u.tenant_id, u.rep_id, u.model_version, *(u[c] for c in SCORE_COLUMNS), u.old_as_of.label("evaluated_at"),
               u.old_as_of.label("as_of"))
        .where(u.total.is_not(None)),
    ).subquery("scores_then")


@functools.lru_cache(maxsize=256)
def _leaderboard_statement(key: str, descending: bool, has_team: bool, has_industry: bool, has_min: bool,
                           has_max: bool, section_after: int | None, pinned: bool = False):  # type: ignore[no-untyped-def]
    tenant_id = bindparam("tenant_id", type_=rep_scores.c.tenant_id.type)
    model_version = bindparam("model_version", type_=Text)
    scores = _scores_as_of_snapshot(tenant_id, model_version) if pinned else rep_scores
    s, d = scores.c, reps.c
    by_score = key != "rep_id"
    needs_score = has_min or has_max
    limit = bindparam("limit", type_=Integer)
    after_value, after_rep = bindparam("after_value", type_=Float), bindparam("after_rep", type_=Text)
    scored_key = (s[key], s.rep_id) if by_score else (s.rep_id,)
    scored = (
        select(
            literal(SCORED).label("section"), s.rep_id, d.name, d.team, d.industry, s.total,
            *(s[c] for c in SCORE_COLUMNS[1:]),
            func.coalesce(s.evaluated_at, s.as_of).label("as_of"), *standing_columns(),
        )
        .select_from(
            scores.outerjoin(reps, and_(d.tenant_id == s.tenant_id, d.rep_id == s.rep_id))
            .outerjoin(rep_standings, and_(rep_standings.c.tenant_id == s.tenant_id,
                                           rep_standings.c.rep_id == s.rep_id))
        )
        .where(s.tenant_id == tenant_id, s.model_version == model_version)  # the active version's rows only
    )
    unscored_section = UNSCORED if by_score else SCORED
    unscored = (
        select(
            literal(unscored_section).label("section"), d.rep_id, d.name, d.team, d.industry,
            *(cast(null(), Float).label(c) for c in SCORE_COLUMNS),
            cast(null(), DateTime(timezone=True)).label("as_of"),
            *(cast(null(), Float if c == "trend_per_day" else Integer).label(c) for c in STANDING_COLUMNS),
            cast(null(), DateTime(timezone=True)).label("ranked_at"),
        )
        .where(
            d.tenant_id == tenant_id,
            ~select(s.rep_id)
            .where(s.tenant_id == d.tenant_id, s.rep_id == d.rep_id, s.model_version == model_version)
            .exists(),
        )
    )
    for column, name, present in ((d.team, "team", has_team), (d.industry, "industry", has_industry)):
        if present:
            scored = scored.where(column == bindparam(name, type_=Text))
            unscored = unscored.where(column == bindparam(name, type_=Text))
    if has_min:
        scored = scored.where(s.total >= bindparam("min_total", type_=Float))
    if has_max:
        scored = scored.where(s.total <= bindparam("max_total", type_=Float))

    def ordered(columns: tuple) -> list:  # type: ignore[type-arg]
        return [c.desc() if descending else c.asc() for c in columns]

    branches = []
    scored_page = None
    if section_after in (None, SCORED):
        if section_after is not None:
            values = (after_value, after_rep) if by_score else (after_rep,)
            scored = scored.where(_after(scored_key, values, descending))
        scored_page = scored.order_by(*ordered(scored_key)).limit(limit).cte("scored_page")
        branches.append(scored_page)
    if not needs_score:
        if by_score:  # after every scored rep, in ascending rep_id
            if section_after == UNSCORED:
                unscored = unscored.where(d.rep_id > after_rep)
            elif scored_page is not None:
                # only once the scored reps run out: a one-time filter, so a full page of scored reps never
                # walks the directory looking for reps without a score
                unscored = unscored.where(select(func.count()).select_from(scored_page).scalar_subquery() < limit)
            unscored = unscored.order_by(d.rep_id.asc())
            branches.append(unscored.limit(limit).subquery())
        else:  # one order for all: reps without a score interleave with the scored page
            if section_after is not None:
                unscored = unscored.where(_after((d.rep_id,), (after_rep,), descending))
            unscored = unscored.order_by(*ordered((d.rep_id,)))
            # a full scored page ends the page at its last rep id: the directory walk stops there (an index
            # condition, not a filter), rather than reading past scored reps to the end of the tenant
            page_size = select(func.count()).select_from(scored_page).scalar_subquery()  # type: ignore[arg-type]
            edge = select((func.min if descending else func.max)(scored_page.c.rep_id)).scalar_subquery()  # type: ignore[union-attr]
            bounded = unscored.where(page_size == limit, d.rep_id >= edge if descending else d.rep_id <= edge)
            branches += [bounded.limit(limit).subquery(), unscored.where(page_size < limit).limit(limit).subquery()]
    if not branches:
        return None
    merged = union_all(*(select(*b.c) for b in branches)).subquery()
    m = merged.c
    if by_score:
        order = [m.section.asc(), *ordered((m[key],)),
                 *ordered((case((m.section == SCORED, m.rep_id)),)), m.rep_id.asc()]
    else:
        order = ordered((m.rep_id,))
    # the statement's own snapshot, which a first page pins for its walk
    snapshot = cast(func.pg_current_snapshot(), Text).label("snapshot")
    return select(merged, snapshot).order_by(*order).limit(limit)
