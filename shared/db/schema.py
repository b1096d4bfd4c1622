"""The Postgres schema, owned here and migrated by Alembic (shared/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tenants = Table(
    "tenants",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True, comment="sha256 hex of the whole key"),
    Column("prefix", String(16), nullable=False, comment="first characters, to recognise a key in listings"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("name", Text, comment="what the key is for"),
    Column("last_used_at", DateTime(timezone=True), comment="when a request last used it (to the minute)"),
)


def _score_columns(version_in_key: bool = False) -> list[Column]:
    return [
        Column("brand", Float, nullable=False),
        Column("people", Float, nullable=False),
        Column("insights", Float, nullable=False),
        Column("relationships", Float, nullable=False),
        Column("total", Float, nullable=False),
        Column("state", JSONB, nullable=False, comment="decayed pillar values at state.anchor, see shared.scoring"),
        Column("model_version", Text, nullable=False, primary_key=version_in_key),
        Column("as_of", DateTime(timezone=True), nullable=False, comment="when the scorer produced this snapshot"),
        Column("seq", BigInteger, nullable=False, comment="input offset of the last event in the snapshot"),
        Column("events", Integer, nullable=False),
    ]


rep_scores = Table(
    "rep_scores",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    *_score_columns(version_in_key=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("evaluated_at", DateTime(timezone=True), comment="when total and pillars were last re-read with decay"),
    # the leaderboard's sorts (migration 0009, with the version since 0012); the total's also serves the rank
    # counts
    Index("ix_rep_scores_tenant_id_model_version_total_rep_id", "tenant_id", "model_version", "total", "rep_id"),
    Index("ix_rep_scores_tenant_id_model_version_brand_rep_id", "tenant_id", "model_version", "brand", "rep_id"),
    Index("ix_rep_scores_tenant_id_model_version_people_rep_id", "tenant_id", "model_version", "people", "rep_id"),
    Index("ix_rep_scores_tenant_id_model_version_insights_rep_id", "tenant_id", "model_version", "insights",
          "rep_id"),
    Index("ix_rep_scores_tenant_id_model_version_relationships_rep_id", "tenant_id", "model_version",
          "relationships", "rep_id"),
)
# one row per rep and model version (migration 0012): readers filter on the version they show

rep_score_daily = Table(
    "rep_score_daily",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("day", Date, primary_key=True, comment="UTC day of the snapshot"),
    *_score_columns(version_in_key=True),
)

reps = Table(
    "reps",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("name", Text),
    Column("team", Text),
    Column("industry", Text, comment="lower-cased, so that cohorts across tenants meet"),
    Column("identities", JSONB, nullable=False, server_default="{}", comment="platform -> platform user id"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_reps_tenant_team", "tenant_id", "team"),
    Index("ix_reps_industry", "industry"),
)

scored_events = Table(
    "scored_events",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("rep_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("pillar", Text, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("day", Integer, nullable=False, comment="UTC day of the event, days since the epoch"),
    Column("quality", Float, nullable=False),
    Column("decayed", Float, nullable=False, comment="quality * 2^((event_time - day start) / half-life)"),
    Column("model_version", Text, primary_key=True, comment="a new model version re-scores every event"),
    Column("scored_at", DateTime(timezone=True), nullable=False),
    Index("ix_scored_events_rep_time", "tenant_id", "rep_id", "event_time"),
    Index("ix_scored_events_event_time", "event_time"),  # the retention's delete (migration 0008)
    comment="every scored event once (the ledger behind explanations and point-in-time reads); rows whose "
    "event_time is older than SSI_SINK_LEDGER_RETENTION_DAYS are deleted by the sink",
)

unclaimed_identities = Table(
    "unclaimed_identities",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("platform", Text, primary_key=True),
    Column("identity", Text, primary_key=True),
    Column("parked", Integer, nullable=False, comment="events waiting for a rep to claim this identity"),
    Column("last_event_at", DateTime(timezone=True), nullable=False, comment="when the latest one arrived"),
    comment="platform identities with parked webhook events; a row goes once a rep claims the identity",
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Text, primary_key=True, comment="unguessable: the URL's last segment identifies the tenant"),
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("provider", Text, nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False, comment="encrypted with SSI_SECRET_KEY"),
    Column("verify_token_sealed", LargeBinary, comment="Meta's hub.verify_token, encrypted"),
    Column(
        "allow_legacy_signatures", Boolean, nullable=False, server_default=text("false"),
        comment="HubSpot: accept v1/v2 signatures (no timestamp) when no v3 is sent",
    ),
    Column(
        "source_networks", ARRAY(Text),
        comment="CIDR networks deliveries must come from (the client address, see SSI_INGEST_TRUSTED_PROXIES)",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("disabled_at", DateTime(timezone=True)),
    Column("previous_secret_sealed", LargeBinary, comment="the secret before the last rotation, encrypted"),
    Column("previous_secret_until", DateTime(timezone=True), comment="the previous secret is accepted until then"),
)
