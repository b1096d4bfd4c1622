"""ssi: the operator CLI (tenants, database migrations, topics)."""

from __future__ import annotations

import asyncio
import json
import os

import typer

from services.api.cli_keys import key_app
from services.api.cli_reps import rep_app
from services.api.cli_webhooks import webhook_app
from services.api.config import ApiSettings
from shared.db import migrate
from shared.db.engine import make_engine
from shared.db.tenants import create_tenant
from shared.kafka_topics import ensure_topics

# The services refuse to start without an explicit SSI_ENV; the operator CLI on a developer's machine is dev
# unless told otherwise (a deployment's environment sets SSI_ENV=production for it too).
os.environ.setdefault("SSI_ENV", "dev")

app = typer.Typer(help="Operate the Social Selling Index service.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants and their API keys.", no_args_is_help=True)
db_app = typer.Typer(help="The Postgres schema.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
deadletter_app = typer.Typer(help="What could not be processed, and replaying it after a fix.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="key")
app.add_typer(rep_app, name="rep")
app.add_typer(db_app, name="db")
app.add_typer(topics_app, name="topics")
app.add_typer(webhook_app, name="webhook")
app.add_typer(deadletter_app, name="deadletter")


@tenant_app.command("create")
def tenant_create(
    name: str = typer.Argument(..., help="a unique name for the tenant"),
    as_json: bool = typer.Option(False, "--json", help="print {tenant_id, api_key, key_id} as JSON"),
) -> None:
    """Create a tenant and its first API key. The key is shown once and stored hashed."""

    async def _create():  # type: ignore[no-untyped-def]
        engine = make_engine(ApiSettings().database_url, application_name="ssi-cli", pool_size=1)
        try:
            async with engine.begin() as conn:
                return await create_tenant(conn, name)
        finally:
            await engine.dispose()

    from sqlalchemy.exc import IntegrityError

    try:
        created = asyncio.run(_create())
    except IntegrityError:
        typer.echo(f"error: a tenant named {name!r} exists already", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"tenant_id": created.tenant_id, "api_key": created.api_key, "key_id": created.key_id}))
    else:
        typer.echo(f"tenant {created.name}: {created.tenant_id}\napi key (shown once): {created.api_key}")


@deadletter_app.command("list")
def deadletter_list(
    tenant: str | None = typer.Option(None, "--tenant", help="only this tenant's"),
    reason: str | None = typer.Option(None, "--reason", help="only those whose reason contains this"),
    limit: int = typer.Option(100, "--limit"),
) -> None:
    """Print dead letters as JSON lines: reason, stage, origin topic[partition]@offset, key, time."""
    from services.api.deadletters import list_dead_letters

    settings = ApiSettings()
    for letter in asyncio.run(list_dead_letters(settings.kafka_bootstrap, tenant, reason, limit,
                                                security=settings.kafka_security())):
        typer.echo(json.dumps(letter))


@deadletter_app.command("replay")
def deadletter_replay(
    tenant: str | None = typer.Option(None, "--tenant", help="only this tenant's"),
    reason: str | None = typer.Option(None, "--reason", help="only those whose reason contains this"),
) -> None:
    """Re-send dead letters not replayed before to the topic they came from (after fixing the cause)."""
    from services.api.deadletters import replay_dead_letters

    settings = ApiSettings()
    count = asyncio.run(replay_dead_letters(settings.kafka_bootstrap, tenant, reason, security=settings.kafka_security()))
    typer.echo(json.dumps({"replayed": count}))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply the migrations up to REVISION (default: head)."""
    migrate.upgrade(ApiSettings().database_url, revision)
    typer.echo(f"database at {revision}")


@topics_app.command("ensure")
def topics_ensure() -> None:
    """Create the activity, score and dead-letter topics if missing."""
    settings = ApiSettings()
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap, security=settings.kafka_security()))
    typer.echo(f"created: {', '.join(created)}" if created else "topics present")


if __name__ == "__main__":
    app()
