"""`ssi webhook add|list|disable|rotate`: senders' endpoints of a tenant. Secrets are read from a file or stdin
(a literal `--secret VALUE` still works, with a warning), stored sealed and never shown again."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import typer

from services.api.cli_db import in_transaction, tenant_id as check_tenant
from services.api.cli_secrets import fail, read_secret
from services.api.config import ApiSettings
from shared.http.client_address import parse_networks
from shared.db.engine import make_engine
from shared.db.webhooks import (
    PROVIDERS,
    check_salesforce_org_id,
    check_standard_secret,
    create_endpoint,
    disable_endpoint,
    list_endpoints,
    rotate_secret,
)

webhook_app = typer.Typer(
    help="Webhook endpoints of senders (HubSpot, Salesforce, X, Meta, LinkedIn, Standard Webhooks).",
    no_args_is_help=True,
)

SALESFORCE_NOTE = (
    "Salesforce outbound messages carry no signature: the organisation id is not a secret (it is in every "
    "message and in the org's URLs), so the endpoint URL is the only real secret. Keep it private, and add "
    "--allow-ip with Salesforce's published ranges and mutual TLS at the ingress (deploy/nginx)."
)


def _secret_for(provider: str, secret: str | None, secret_file: Path | None, org_id: str | None) -> str:
    if provider != "salesforce":
        if org_id is not None:
            raise fail("--org-id is for salesforce")
        return read_secret(secret, secret_file) or ""
    if org_id is None and secret_file is None and secret not in (None, "-"):
        org_id = secret  # --secret is an alias kept for older scripts; not a secret, so no warning
    elif org_id is None:
        org_id = read_secret(secret, secret_file, required=False)
    if not org_id:
        raise fail("salesforce needs --org-id (the organisation id, 15 or 18 characters)")
    try:
        check_salesforce_org_id(org_id)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return org_id


@webhook_app.command("add", help=f"Register a sender's webhook endpoint for a tenant. {SALESFORCE_NOTE}")
def webhook_add(
    tenant_id: str = typer.Argument(..., help="the tenant id (from `ssi tenant create`)"),
    provider: str = typer.Argument(..., help="standard, hubspot, salesforce, x, meta or linkedin"),
    secret: str | None = typer.Option(
        None, "--secret", help="'-' reads the signing secret from stdin; a literal value works but shows in `ps` "
        "(warning). Salesforce: an alias of --org-id"),
    secret_file: Path | None = typer.Option(None, "--secret-file", help="read the signing secret from this file"),
    org_id: str | None = typer.Option(None, "--org-id", help="Salesforce: the organisation id (not a secret)"),
    verify_token: str | None = typer.Option(None, "--verify-token", help="Meta's hub.verify_token"),
    allow_legacy_signatures: bool = typer.Option(
        False, "--allow-legacy-signatures",
        help="HubSpot only: also accept v1/v2 signatures when no v3 is sent. They carry no timestamp, so only "
        "deliveries whose events occurred in the last 5 minutes pass. Off by default.",
    ),
    allow_ip: list[str] = typer.Option(
        [], "--allow-ip", help="accept deliveries and handshakes only from this address or CIDR network "
        "(repeatable); the client address is the TCP peer, or X-Forwarded-For from SSI_INGEST_TRUSTED_PROXIES"),
    as_json: bool = typer.Option(False, "--json", help="print {endpoint_id, url} as JSON"),
) -> None:
    settings, tenant_id = ApiSettings(), check_tenant(tenant_id)
    if provider not in PROVIDERS:
        raise fail(f"unknown provider {provider!r}; one of {', '.join(PROVIDERS)}")
    if allow_legacy_signatures and provider != "hubspot":
        raise fail("--allow-legacy-signatures is a HubSpot option")
    if provider == "meta" and not verify_token:
        raise fail("meta needs --verify-token (Meta's subscription handshake checks it)")
    try:
        networks = tuple(str(n) for n in parse_networks(allow_ip))
    except ValueError as exc:
        raise fail(f"--allow-ip: {exc}") from None
    value = _secret_for(provider, secret, secret_file, org_id)
    if provider == "standard":
        try:
            check_standard_secret(value)
        except ValueError as exc:
            raise fail(str(exc)) from None

    async def _add() -> str:
        engine = make_engine(settings.database_url, application_name="ssi-cli", pool_size=1)
        try:
            async with engine.begin() as conn:
                return await create_endpoint(conn, settings.secret_box(), tenant_id, provider, value, verify_token,
                                             allow_legacy_signatures=allow_legacy_signatures, source_networks=networks)
        finally:
            await engine.dispose()

    from sqlalchemy.exc import DBAPIError, IntegrityError

    try:
        endpoint_id = asyncio.run(_add())
    except (IntegrityError, DBAPIError):
        raise fail(f"no tenant {tenant_id!r}", 1) from None
    url = _url(settings, provider, endpoint_id)
    if as_json:
        typer.echo(json.dumps({"endpoint_id": endpoint_id, "url": url}))
    else:
        typer.echo(f"endpoint {endpoint_id}\nurl: {url}")


def _url(settings: ApiSettings, provider: str, endpoint_id: str) -> str:
    return f"{settings.ingest_public_url.rstrip('/')}/v1/webhooks/{provider}/{endpoint_id}"


@webhook_app.command("list")
def webhook_list(tenant: str = typer.Argument(..., help="the tenant id")) -> None:
    """Print the tenant's endpoints as JSON lines (id, provider, url, options, disabled_at, the end of a
    rotation's overlap). Never a secret."""
    settings, tid = ApiSettings(), check_tenant(tenant)
    for row in in_transaction(lambda conn: list_endpoints(conn, tid), settings):
        out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        out["url"] = _url(settings, row["provider"], row["endpoint_id"])
        out["source_networks"] = row["source_networks"] or []
        typer.echo(json.dumps(out))


@webhook_app.command("disable")
def webhook_disable(
    tenant: str = typer.Argument(..., help="the tenant id"),
    endpoint_id: str = typer.Argument(..., help="the endpoint's id (`ssi webhook list`)"),
) -> None:
    """Disable an endpoint: its URL answers 404 within 5 seconds in every ingest process."""
    tid = check_tenant(tenant)
    if not in_transaction(lambda conn: disable_endpoint(conn, tid, endpoint_id)):
        raise fail(f"tenant {tid} has no enabled endpoint {endpoint_id[:64]!r}", 1)
    typer.echo(json.dumps({"disabled": endpoint_id}))


@webhook_app.command("rotate")
def webhook_rotate(
    tenant: str = typer.Argument(..., help="the tenant id"),
    endpoint_id: str = typer.Argument(..., help="the endpoint's id (`ssi webhook list`)"),
    secret: str | None = typer.Option(None, "--secret", help="'-' reads the new secret from stdin; a literal "
                                      "value works but shows in `ps` (warning)"),
    secret_file: Path | None = typer.Option(None, "--secret-file", help="read the new secret from this file"),
    overlap_hours: float = typer.Option(24.0, "--overlap-hours", min=0, max=720,
                                        help="how long the old secret stays valid beside the new one"),
) -> None:
    """Give an endpoint a new secret. Deliveries signed with the old one are still accepted for the overlap
    (24 hours by default), so the sender can switch over at any time in it."""
    settings, tid = ApiSettings(), check_tenant(tenant)
    value = read_secret(secret, secret_file) or ""
    try:
        done = in_transaction(lambda conn: rotate_secret(conn, settings.secret_box(), tid, endpoint_id, value,
                                                         timedelta(hours=overlap_hours)), settings)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if done is None:
        raise fail(f"tenant {tid} has no enabled endpoint {endpoint_id[:64]!r}", 1)
    typer.echo(json.dumps({"rotated": endpoint_id, "provider": done[0], "old_secret_valid_until": done[1].isoformat()}))
