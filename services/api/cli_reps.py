"""`ssi rep ...`: erasure of a rep (GDPR article 17), and lifting it so the id can be reused."""

from __future__ import annotations

import json
import re

import typer

from services.api.cli_db import in_transaction, tenant_id
from services.api.cli_secrets import fail
from services.api.config import ApiSettings
from services.api.repository import identity_holder
from shared import topics
from shared.db.erasure import erase_rep, list_erased, unerase_rep
from shared.events import REP_ID_PATTERN
from shared.kafka_producer import KafkaUnavailable, Producer

rep_app = typer.Typer(help="Erasing a rep (GDPR art. 17), and lifting an erasure.", no_args_is_help=True)


def _rep(value: str) -> str:
    if not re.match(REP_ID_PATTERN, value):
        raise fail(f"REP is a rep id (the events' subject), not {value[:60]!r}")
    return value


@rep_app.command("erase")
def rep_erase(
    tenant: str = typer.Argument(..., help="the tenant id"),
    rep: str = typer.Argument(..., help="the rep id"),
) -> None:
    """Erase the rep everywhere, as DELETE /v1/reps/{rep_id} does: its rows leave Postgres, the scorer drops its
    state, and later events for it are dead-lettered with the reason `erased`. Prints the rows deleted."""
    tid, rid = tenant_id(tenant), _rep(rep)
    from sqlalchemy.exc import IntegrityError

    try:
        deleted = in_transaction(lambda conn: erase_rep(conn, tid, rid))
    except IntegrityError:
        raise fail(f"no tenant {tid}", 1) from None
    typer.echo(json.dumps({"erased": rid, "deleted": deleted}))


@rep_app.command("unerase")
def rep_unerase(
    tenant: str = typer.Argument(..., help="the tenant id"),
    rep: str = typer.Argument(..., help="the rep id"),
) -> None:
    """Lift an erasure so the rep id can be used again (for a new person). Events received before the erasure
    never count again; the erased rep's platform identities are released (unless another rep holds them)."""
    tid, rid = tenant_id(tenant), _rep(rep)
    settings = ApiSettings()

    async def work(conn):  # type: ignore[no-untyped-def]
        identities = await unerase_rep(conn, tid, rid)
        if identities is None:
            return None
        released = []
        for platform, identity in identities.items():
            if await identity_holder(conn, tid, platform, identity) is None:
                released.append((topics.IDENTITIES, topics.identity_key(tid, platform, identity).encode(), None))
        if released:  # before the commit: if Kafka is away, nothing changes and the command can be repeated
            producer = Producer(settings.kafka_bootstrap, timeout=10.0, security=settings.kafka_security())
            try:
                await producer.send_all(released)
            finally:
                await producer.stop()
        return len(released)

    try:
        released = in_transaction(work, settings)
    except KafkaUnavailable as exc:
        raise fail(f"Kafka did not take the identity releases ({exc}); nothing changed, try again", 1) from None
    if released is None:
        raise fail(f"rep {rid!r} of tenant {tid} is not erased", 1)
    typer.echo(json.dumps({"unerased": rid, "identities_released": released}))


@rep_app.command("erased")
def rep_erased(tenant: str = typer.Argument(..., help="the tenant id")) -> None:
    """Print the tenant's registry of erasures as JSON lines: rep_id, erased (now), erased_at."""
    tid = tenant_id(tenant)
    for row in in_transaction(lambda conn: list_erased(conn, tid)):
        typer.echo(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}))


