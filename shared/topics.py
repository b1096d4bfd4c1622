"""Kafka topic names and record keys, defined once for every service."""

from __future__ import annotations

ACTIVITY = "ssi.activity.v1"
"""Normalised CloudEvents accepted by ingest, one record per event, keyed by tenant and rep."""

SCORES = "ssi.scores.v1"
"""Score snapshots, one per touched rep per scorer batch, keyed by tenant and rep (see shared.scores)."""

LEDGER = "ssi.ledger.v1"
"""The scored events of each rep per scorer batch, for the ledger in Postgres, keyed by tenant and rep."""

OUTCOMES = "ssi.outcomes.v1"
"""CRM outcomes and brand mentions (shared.outcomes): stored by the sink, never scored; keyed by tenant and rep."""

DEAD_LETTER = "ssi.deadletter.v1"
"""Records that could not be scored, with the reason and their topic[partition]@offset."""

WEBHOOKS_RAW = "ssi.webhooks.raw.v1"
"""Verified provider-native webhook events, kept raw so that a fixed mapping can be replayed."""

NORMALIZED = "ssi.normalized.v1"
"""Webhook events mapped to the activity vocabulary, keyed by tenant, platform and platform identity."""

IDENTITIES = "ssi.identities.v1"
"""Compacted: which rep claims a platform identity, keyed like NORMALIZED (tombstone when released)."""

IDENTITY_STATUS = "ssi.identity-status.v1"
"""Compacted: how many events wait for a rep to claim each platform identity (0 once claimed)."""

DEFAULT_PARTITIONS = 12
"""Fixed when the topics are created and never changed after: a rep's events, its scorer state and its
changelog all live in the partition its key hashes to, so adding partitions would move reps away from their
state. 12 spreads reps over 1, 2, 3, 4, 6 or 12 scorer workers. The scorer reads the real count from the
broker at start-up."""

KEY_SEPARATOR = "|"


def rep_key(tenant_id: str, rep_id: str) -> str:
    """The record key that makes all of a rep's events meet in one partition.

    Tenant ids are UUIDs, so the separator can never occur in the tenant part.
    """
    return f"{tenant_id}{KEY_SEPARATOR}{rep_id}"


def split_rep_key(key: str) -> tuple[str, str]:
    tenant_id, _, rep_id = key.partition(KEY_SEPARATOR)
    return tenant_id, rep_id


def dedup_key(tenant_id: str, source: str, event_id: str) -> str:
    """Idempotency key of an event: its id is unique per tenant and source (CloudEvents 1.0)."""
    return KEY_SEPARATOR.join((tenant_id, source, event_id))


def identity_key(tenant_id: str, platform: str, identity: str) -> str:
    """Key of NORMALIZED and IDENTITIES: a platform identity's events and its claim meet in one partition."""
    return KEY_SEPARATOR.join((tenant_id, platform, identity))
