"""First leaderboard pages kept by each api worker until their tenant's data changes.

A dashboard asks for the same first page again and again (every manager of a tenant opening the team board,
every auto-refresh), and reading it costs a statement over 50 reps, their ranks and target progress, and 20 kB
of JSON. Each worker keeps the JSON of the first pages it answered (JSON only; not pages after a cursor, not
CSV), keyed by everything the page depends on: the tenant, the model version, the sort, the filters, the limit
and the UTC day (target progress depends on the date).

**When a kept page is served.** Each page is stored with the Postgres snapshot its statement read
(``pg_current_snapshot()``). A statement trigger on every table a page is made of (rep_scores, reps,
rep_standings, targets; migration 0015) writes a row to ``read_model_writes`` per tenant each writing
statement touched, with the writing transaction's id. Before serving a kept page, one indexed statement asks
whether the tenant has such a row, committed, that the page's snapshot does not see (its transaction began
after the snapshot or was in progress then). If none, the page is what a fresh read would give now, and
it is served; else it is read again. So a kept page is never staler than a fresh read made at the same
moment: a write committed before the request is seen, from whichever worker or service it came (``tests/integration/test_leaderboard_cache.py``).

**Limits.**
- A page is kept at most ``max_age`` seconds (SSI_API_PAGE_CACHE_SECONDS, 60 by default, at most the cursor
  validity), so its next cursor has at least ``SSI_API_CURSOR_SECONDS - max_age`` seconds left, and the
  writes log (kept by the sink for SSI_SINK_WALK_LOG_SECONDS, which is longer) always covers it.
- Any write of the tenant's scores, directory, standings or targets makes its pages stale: the sink's
  read-model pass (every SSI_SINK_READ_MODEL_SECONDS) writes only the standings that moved, so a tenant whose
  reps did not move keeps its pages, and one whose reps score continuously reads them again after each change.
- Each worker keeps ``max_entries`` pages (least recently used out first), about 20 kB each at 50 a page.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncConnection

PAGES = Counter("ssi_api_page_cache_total", "First leaderboard pages asked for, by what the cache did: 'hit' "
                "(served as kept), 'stale' (kept, but the tenant's data changed since: read again), 'miss' (not "
                "kept, or too old: read).", ["result"])
HIT, STALE, MISS = PAGES.labels("hit"), PAGES.labels("stale"), PAGES.labels("miss")

CHANGED_SINCE = (
    "SELECT EXISTS (SELECT 1 FROM read_model_writes WHERE tenant_id = $1::text::uuid "
    "AND xid >= pg_snapshot_xmin($2::text::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $2::text::pg_snapshot))"
)
"""Whether a transaction the snapshot does not see wrote the tenant's leaderboard inputs (ix_read_model_writes_
tenant_id_xid): every transaction id below the snapshot's xmin is one it sees."""


@dataclass(frozen=True)
class Kept:
    snapshot: str
    body: bytes
    stored_at: float


class PageCache:
    def __init__(self, max_entries: int, max_age: float) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._pages: OrderedDict[Hashable, Kept] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_age > 0 and self.max_entries > 0

    async def current(self, conn: AsyncConnection, key: Hashable, tenant_id: str) -> bytes | None:
        """The kept page of ``key`` if no write of the tenant's data since its snapshot, else None."""
        kept = self._pages.get(key)
        if kept is None or time.monotonic() - kept.stored_at > self.max_age:
            MISS.inc()
            return None
        raw = await conn.get_raw_connection()  # one prepared statement on the driver: no SQLAlchemy round
        if await raw.driver_connection.fetchval(CHANGED_SINCE, tenant_id, kept.snapshot):  # type: ignore[union-attr]
            self._pages.pop(key, None)
            STALE.inc()
            return None
        self._pages.move_to_end(key)
        HIT.inc()
        return kept.body

    def keep(self, key: Hashable, snapshot: str, body: bytes, read_at: float) -> None:
        """Keep a page read at ``read_at`` (time.monotonic() before its statement) with its statement's
        snapshot."""
        if not snapshot:
            return
        self._pages[key] = Kept(snapshot, body, read_at)
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)
