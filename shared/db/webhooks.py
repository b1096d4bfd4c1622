"""Webhook endpoints: one per tenant and sender, identified by an unguessable id, secrets sealed at rest."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import webhook_endpoints
from shared.secretbox import SecretBox

from shared.providers import PROVIDERS  # noqa: E402 - re-exported for the CLI and the ingest


@dataclass(frozen=True)
class Endpoint:
    id: str
    tenant_id: str
    provider: str
    secret: str
    verify_token: str | None
    allow_legacy_signatures: bool = False
    source_networks: tuple[str, ...] = ()  # empty: from anywhere
    previous_secret: str | None = None  # the secret before the last rotation, while its overlap lasts
    previous_until: datetime | None = None

    def secrets_at(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery may be signed with at ``now``: the current one, then the previous one until
        its overlap ends."""
        if self.previous_secret and self.previous_until and now < self.previous_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)

    def __repr__(self) -> str:  # secrets never reach a log line
        return f"Endpoint(id={self.id[:6]}..., tenant_id={self.tenant_id}, provider={self.provider})"


def new_endpoint_id() -> str:
    """192 random bits, URL-safe; never starting with '-', which a command line would read as an option
    (`ssi webhook rotate TENANT -wGc...` failed so in one run of the suite)."""
    while (endpoint_id := secrets.token_urlsafe(24)).startswith("-"):
        pass
    return endpoint_id


async def create_endpoint(
    conn: AsyncConnection,
    box: SecretBox,
    tenant_id: str,
    provider: str,
    secret: str,
    verify_token: str | None,
    *,
    allow_legacy_signatures: bool = False,
    source_networks: tuple[str, ...] = (),
) -> str:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; one of {', '.join(PROVIDERS)}")
    if provider == "standard":
        check_standard_secret(secret)
    if provider == "salesforce":
        check_salesforce_org_id(secret)
    endpoint_id = new_endpoint_id()
    await conn.execute(
        insert(webhook_endpoints).values(
            id=endpoint_id,
            tenant_id=tenant_id,
            provider=provider,
            secret_sealed=box.seal(secret),
            verify_token_sealed=box.seal(verify_token) if verify_token else None,
            allow_legacy_signatures=allow_legacy_signatures,
            source_networks=list(source_networks) or None,
        )
    )
    return endpoint_id


def check_standard_secret(secret: str) -> None:
    """Standard Webhooks secrets are base64 (24-64 bytes) after an optional ``whsec_`` prefix."""
    text = secret.removeprefix("whsec_")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a Standard Webhooks secret is base64 after 'whsec_'") from None
    if not 24 <= len(key) <= 64:
        raise ValueError(f"a Standard Webhooks secret decodes to 24-64 bytes, not {len(key)}")


def check_salesforce_org_id(org_id: str) -> None:
    """A Salesforce organisation id is 15 (case-sensitive) or 18 (with a checksum) letters and digits."""
    if len(org_id) not in (15, 18) or not org_id.isascii() or not org_id.isalnum():
        shape = f"{len(org_id)} characters" + ("" if org_id.isascii() and org_id.isalnum() else ", not all letters/digits")
        raise ValueError(f"a Salesforce organisation id is 15 or 18 letters and digits (e.g. 00D5g000004abcdEAA); "
                         f"this one has {shape}")


async def find_endpoint(conn: AsyncConnection, box: SecretBox, endpoint_id: str) -> Endpoint | None:
    row = (
        await conn.execute(
            select(webhook_endpoints).where(
                webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.disabled_at.is_(None)
            )
        )
    ).mappings().one_or_none()
    if row is None:
        return None
    token, previous = row["verify_token_sealed"], row["previous_secret_sealed"]
    return Endpoint(
        id=row["id"],
        tenant_id=str(row["tenant_id"]),
        provider=row["provider"],
        secret=box.open(row["secret_sealed"]),
        verify_token=box.open(token) if token else None,
        allow_legacy_signatures=bool(row["allow_legacy_signatures"]),
        source_networks=tuple(row["source_networks"] or ()),
        previous_secret=box.open(previous) if previous and row["previous_secret_until"] else None,
        previous_until=row["previous_secret_until"],
    )


async def list_endpoints(conn: AsyncConnection, tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's endpoints, oldest first, without any secret."""
    w = webhook_endpoints.c
    rows = await conn.execute(
        select(w.id.label("endpoint_id"), w.provider, w.created_at, w.disabled_at, w.allow_legacy_signatures,
               w.source_networks, w.previous_secret_until)
        .where(w.tenant_id == tenant_id)
        .order_by(w.created_at, w.id)
    )
    return [dict(r) for r in rows.mappings()]


async def disable_endpoint(conn: AsyncConnection, tenant_id: str, endpoint_id: str) -> bool:
    """Disable an enabled endpoint of this tenant (its URL answers 404 from then on); False if there is none."""
    result = await conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.tenant_id == tenant_id, webhook_endpoints.c.id == endpoint_id,
               webhook_endpoints.c.disabled_at.is_(None))
        .values(disabled_at=func.now())
    )
    return bool(result.rowcount)


async def rotate_secret(
    conn: AsyncConnection, box: SecretBox, tenant_id: str, endpoint_id: str, secret: str, overlap: timedelta
) -> tuple[str, datetime] | None:
    """Make ``secret`` the endpoint's secret and keep the old one valid for ``overlap``; (provider, end of the
    overlap), or None when the tenant has no such enabled endpoint."""
    w = webhook_endpoints.c
    row = (
        await conn.execute(
            select(w.provider, w.secret_sealed).where(w.tenant_id == tenant_id, w.id == endpoint_id,
                                                      w.disabled_at.is_(None)).with_for_update()
        )
    ).one_or_none()
    if row is None:
        return None
    if row.provider == "standard":
        check_standard_secret(secret)
    if row.provider == "salesforce":
        raise ValueError("a Salesforce endpoint has no secret to rotate (the org id is public; the URL is the "
                         "secret): add a new endpoint and disable this one")
    until = (await conn.execute(select(func.now() + overlap))).scalar_one()
    await conn.execute(
        update(webhook_endpoints).where(w.id == endpoint_id).values(
            secret_sealed=box.seal(secret), previous_secret_sealed=row.secret_sealed, previous_secret_until=until)
    )
    return row.provider, until
