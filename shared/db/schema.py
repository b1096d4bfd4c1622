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
    Sequence,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import UserDefinedType

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


class Xid8(UserDefinedType):
    """Postgres' 64-bit transaction id (pg_current_xact_id())."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "xid8"


rep_score_changes = Table(
    "rep_score_changes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("rep_id", Text, nullable=False),
    Column("model_version", Text, nullable=False),
    Column("xid", Xid8, nullable=False, comment="the writing transaction (pg_current_xact_id())"),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("old_total", Float, comment="null: the rep had no score of this version before the change"),
    Column("old_brand", Float),
    Column("old_people", Float),
    Column("old_insights", Float),
    Column("old_relationships", Float),
    Column("old_as_of", DateTime(timezone=True)),
    Index("ix_rep_score_changes_tenant_id_model_version_xid", "tenant_id", "model_version", "xid"),
    Index("ix_rep_score_changes_changed_at", "changed_at"),
    Index("ix_rep_score_changes_tenant_id_rep_id", "tenant_id", "rep_id"),
    comment="before-images of rep_scores changes, written by a trigger (migration 0014), for leaderboard walks",
)

read_model_writes = Table(
    "read_model_writes",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False, comment="no foreign key: a tenant's deletion writes here"),
    Column("xid", Xid8, nullable=False, comment="the writing transaction (pg_current_xact_id())"),
    Column("written_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_read_model_writes_tenant_id_xid", "tenant_id", "xid"),
    Index("ix_read_model_writes_written_at", "written_at"),
    comment="tenants whose leaderboard inputs (rep_scores, reps, rep_standings, targets) a transaction changed, "
            "written by statement triggers (migration 0015), for the api's page cache",
)

rep_score_daily = Table(
    "rep_score_daily",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("day", Date, primary_key=True, comment="UTC day of the snapshot"),
    *_score_columns(version_in_key=True),
    Index("ix_rep_score_daily_day", "day"),  # the retention's delete (migration 0010)
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

# --- read models (migration 0011): kept by the sink (services/scorer/sink/read_models.py), read by the api ---

rep_standings = Table(
    "rep_standings",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("total", Float, nullable=False, comment="the stored total the counts were taken for"),
    Column("team_below", Integer, comment="team members scoring lower; null without a team"),
    Column("team_size", Integer),
    Column("tenant_below", Integer, nullable=False),
    Column("tenant_size", Integer, nullable=False),
    Column("industry_below", Integer, comment="other tenants' scored reps of the industry scoring lower"),
    Column("industry_size", Integer),
    Column("industry_tenants", Integer, comment="how many other tenants those reps belong to"),
    Column("trend_per_day", Float, comment="least-squares slope of the daily totals of the last 28 days"),
    Column("trend_days", Integer, nullable=False, server_default=text("0")),
    Column("refreshed_at", DateTime(timezone=True), nullable=False),
    comment="a scored rep's cohort counts (for its ranks) and recent trend, as of refreshed_at",
)

rep_explanations = Table(
    "rep_explanations",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("model_version", Text, nullable=False),
    Column("seq", BigInteger, nullable=False, comment="rep_scores.seq the explanation was computed for"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("explanation", JSONB, nullable=False),
)

team_stats = Table(
    "team_stats",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("team", Text, primary_key=True),
    Column("size", Integer, nullable=False, comment="directory reps of the team"),
    Column("scored", Integer, nullable=False, comment="of which have a score (the others count as 0)"),
    Column("stats", JSONB, nullable=False, comment="{total|pillar: {mean, median, p90}}, bins"),
    Column("totals", ARRAY(Float), nullable=False, comment="members' totals, ascending"),
    Column("trend_per_day", Float, comment="mean of the members' trends (a member without one counts 0)"),
    Column("refreshed_at", DateTime(timezone=True), nullable=False),
)

team_daily = Table(
    "team_daily",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("team", Text, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("stats", JSONB, nullable=False, comment="as team_stats.stats, at the day's last refresh"),
    Column("refreshed_at", DateTime(timezone=True), nullable=False),
    Index("ix_team_daily_day", "day"),  # the retention's delete (migration 0014)
)

targets = Table(
    "targets",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("team", Text, primary_key=True, comment="'' for the tenant's own target (no team is named '')"),
    Column("milestones", JSONB, nullable=False, comment='[{"score": 70, "by": "2027-06-01"}, ...] by date'),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


# CRM outcomes, brand mentions and declared brands (migration 0013): stored for validation and share of voice

crm_outcomes = Table(
    "crm_outcomes",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("rep_id", Text, nullable=False),
    Column("type", Text, nullable=False, comment="opportunity.created, deal.won, deal.lost or quota.set"),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("amount", Float),
    Column("currency", Text),
    Column("period_start", Date, comment="quota.set: first day of data.period"),
    Column("period_end", Date, comment="quota.set: last day of data.period (included)"),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_crm_outcomes_tenant_id_type_event_time", "tenant_id", "type", "event_time"),
    Index("ix_crm_outcomes_tenant_id_rep_id", "tenant_id", "rep_id"),
    Index("ix_crm_outcomes_event_time", "event_time"),  # the retention's delete (migration 0014)
    comment="CRM outcomes, once each by (tenant, source, event id), for validation against quota attainment",
)

brand_mentions = Table(
    "brand_mentions",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("rep_id", Text, nullable=False, comment="the event's subject (a rep or the listening account)"),
    Column("brand", Text, nullable=False, comment="as sent; matched to declared brands case-insensitively"),
    Column("reach", Float, nullable=False),
    Column("sentiment", Float, comment="-1 (negative) to 1 (positive), when sent"),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_brand_mentions_tenant_id_event_time", "tenant_id", "event_time"),
    Index("ix_brand_mentions_tenant_id_rep_id", "tenant_id", "rep_id"),
    Index("ix_brand_mentions_event_time", "event_time"),  # the retention's delete (migration 0014)
    comment="mention.received events, once each by (tenant, source, event id), for share of voice",
)

tenant_brands = Table(
    "tenant_brands",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("own", Text, nullable=False),
    Column("competitors", JSONB, nullable=False, server_default="[]"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="the tenant's own brand and its declared competitors (PUT /v1/brands)",
)


erased_reps_change_seq = Sequence("erased_reps_change_seq", metadata=metadata)

erased_reps = Table(
    "erased_reps",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("rep_id", Text, primary_key=True),
    Column("erased", Boolean, nullable=False, comment="true while the erasure stands (ssi rep unerase clears it)"),
    Column("erased_at", DateTime(timezone=True), nullable=False,
           comment="events received before this are never scored again, even after unerase"),
    Column("identities", JSONB, nullable=False, server_default="{}", comment="the rep's platform identities"),
    Column("change_id", BigInteger, erased_reps_change_seq, nullable=False,
           server_default=erased_reps_change_seq.next_value(), comment="moves on every change (the scorer's cursor)"),
    Index("ix_erased_reps_change_id", "change_id", unique=True),
    comment="reps erased (GDPR art. 17): consulted by every scorer version, the sink and every replay",
)
