"""`ssi key ...`: a tenant's API keys. Several at once, so a key rotates without downtime: create the new key,
move the clients, revoke the old one. A revoked key stops working everywhere within 5 seconds."""

from __future__ import annotations

import json
import uuid

import typer

from services.api.cli_db import in_transaction, tenant_id
from services.api.cli_secrets import fail
from shared.db.api_keys import create_key, list_keys, revoke_key
from shared.http.auth import KEY_CACHE_SECONDS

key_app = typer.Typer(help="A tenant's API keys (create, list, revoke).", no_args_is_help=True)


@key_app.command("create")
def key_create(
    tenant: str = typer.Argument(..., help="the tenant id"),
    name: str | None = typer.Option(None, "--name", help="what the key is for, shown by `ssi key list`"),
    as_json: bool = typer.Option(False, "--json", help='print {"key_id", "api_key"} as JSON'),
) -> None:
    """Create another API key for the tenant. The key is shown once and stored hashed."""
    tid = tenant_id(tenant)
    from sqlalchemy.exc import IntegrityError

    try:
        created = in_transaction(lambda conn: create_key(conn, tid, name))
    except IntegrityError:
        raise fail(f"no tenant {tid}", 1) from None
    if as_json:
        typer.echo(json.dumps({"key_id": created.key_id, "api_key": created.api_key}))
    else:
        typer.echo(f"key {created.key_id}\napi key (shown once): {created.api_key}")


@key_app.command("list")
def key_list(tenant: str = typer.Argument(..., help="the tenant id")) -> None:
    """Print the tenant's keys as JSON lines: key_id, name, prefix, created_at, last_used_at (to the minute),
    revoked_at. Never the keys themselves."""
    tid = tenant_id(tenant)
    for key in in_transaction(lambda conn: list_keys(conn, tid)):
        typer.echo(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in key.items()}))


@key_app.command("revoke", help=f"Revoke one of the tenant's keys; every process refuses it within "
                                f"{KEY_CACHE_SECONDS:.0f} seconds.")
def key_revoke(
    tenant: str = typer.Argument(..., help="the tenant id"),
    key_id: str = typer.Argument(..., help="the key's id (`ssi key list`)"),
) -> None:
    tid = tenant_id(tenant)
    try:
        kid = str(uuid.UUID(key_id))
    except ValueError:
        raise fail(f"KEY_ID is a key's id (a UUID, see `ssi key list`), not {key_id[:60]!r}") from None
    if not in_transaction(lambda conn: revoke_key(conn, tid, kid)):
        raise fail(f"tenant {tid} has no active key {kid}", 1)
    typer.echo(json.dumps({"revoked": kid}))
