from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SinkSettings(ServiceSettings):
    """The sink. Environment: SSI_SINK_* for these fields, plus the shared SSI_* ones."""

    model_config = SettingsConfigDict(env_prefix="SSI_SINK_", frozen=True, extra="ignore")

    group: str = Field("ssi-sink", description="Kafka consumer group")
    host: str = "127.0.0.1"
    port: int = Field(8003, ge=1, le=65535, description="the sink's /metrics")
    batch_max: int = Field(5000, ge=1, description="records per Postgres transaction at most")
    batch_wait_ms: int = Field(200, ge=1, description="how long a fetch waits for records")
    refresh_seconds: float = Field(300.0, ge=1, description="how often stored totals are re-read with decay")
    read_model_seconds: float = Field(
        2.0, gt=0, description="how often the api's read models (ranks, team aggregates, explanations) are "
        "re-derived from the stored scores and the directory")
    trend_seconds: float = Field(60.0, gt=0, description="how often the reps' 28-day trends are re-fitted")
    explanations_per_pass: int = Field(500, ge=1, description="explanations computed per read-model pass at most")
    explanation_max_age_seconds: float = Field(
        3600.0, gt=0, description="an explanation older than this is computed again, new snapshot or not")
    ledger_retention_days: int = Field(
        400, ge=1, description="ledger rows (scored_events) whose event is older than this are deleted; longer "
        "than the api's point-in-time horizon (12 x the longest half-life: 336 days with ssi-v2's 28)",
    )
    history_retention_days: int = Field(
        731, ge=1, description="daily history rows (rep_score_daily) older than this many days are deleted, in the "
        "ledger's expiry task and batches",
    )
    outcomes_retention_days: int = Field(
        731, ge=1, description="CRM outcomes (crm_outcomes) whose event is older than this many days are deleted, in "
        "the ledger's expiry task and batches; validation over an older period finds none",
    )
    mentions_retention_days: int = Field(
        400, ge=1, description="brand mentions (brand_mentions) whose event is older than this many days are deleted, "
        "as outcomes are; longer than share of voice's longest period (366 days)",
    )
    team_history_retention_days: int = Field(
        731, ge=1, description="teams' daily points (team_daily) older than this many days are deleted, as outcomes are",
    )
    walk_log_seconds: float = Field(
        1800.0, ge=60, description="rows of rep_score_changes (earlier values for leaderboard walks) and of "
        "read_model_writes (for the api's page cache) are kept this long; a leaderboard cursor, and a cached page, "
        "live for SSI_API_CURSOR_SECONDS at most, which must be shorter",
    )
    ledger_expiry_batch: int = Field(5000, ge=1, description="rows per delete statement (one transaction each)")
    ledger_expiry_seconds: float = Field(3600.0, ge=1, description="how often expired ledger rows are deleted")
    max_attempts: int = Field(
        30, ge=0, description="attempts for a batch failing on a transient error (Postgres or Kafka unreachable) "
        "before the sink exits with status 3 to be restarted by its supervisor (30: about 4.5 minutes of backoff "
        "capped at 10 s; 0: retry for ever); records Postgres refuses for their content are dead-lettered, not "
        "retried"
    )
