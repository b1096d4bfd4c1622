from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared import topics
from shared.settings import ServiceSettings


class ScorerSettings(ServiceSettings):
    """The scoring worker. Environment: SSI_SCORER_* for these fields, plus the shared SSI_* ones."""

    model_config = SettingsConfigDict(env_prefix="SSI_SCORER_", frozen=True, extra="ignore")

    app_id: str = Field("ssi-scorer", pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Faust app id and group")
    host: str = Field("127.0.0.1", description="bind address of /metrics, /healthz, /readyz (nothing else is served)")
    port: int = Field(8002, ge=1, le=65535, description="worker's /metrics, /healthz, /readyz")
    partitions: int = Field(
        topics.DEFAULT_PARTITIONS, ge=1, description="used only if the activity topic does not exist yet; "
        "otherwise the worker takes the topic's own partition count"
    )
    data_dir: Path = Field(Path(".run/scorer"), description="Faust's data directory (one per worker)")
    session_timeout_seconds: float = Field(15.0, ge=6, description="a dead worker's partitions move after this")
    dedup_retention_days: float = Field(8.0, gt=0, description="how long an event id is remembered")
    standby_replicas: int = Field(
        0, ge=0, description="Faust standby copies of each table partition on other workers. 0 by default: on one "
        "host a standby doubles the changelog reading for little gain, because the compact state (a few KB per "
        "rep) recovers from its changelog in seconds; set 1 when workers run on separate machines"
    )
    max_poll_records: int = Field(
        5000, ge=1, description="records per fetch, hence per batch: larger batches write a busy rep's state once "
        "for more events; 5,000 keeps a batch under about half a second at the slowest rate measured"
    )
    producer_linger_ms: int = Field(
        10, ge=0, description="the worker writes changelogs, snapshots and ledger records in bursts at the end of "
        "each batch; 10 ms lets a burst leave as few large produce requests instead of many small ones"
    )
    producer_max_batch_size: int = Field(
        512 * 1024, ge=16384, description="bytes per partition per produce request; Faust's 16 KiB default splits "
        "one batch's changelog burst into dozens of requests"
    )
    commit_interval_seconds: float = Field(
        1.0, gt=0, description="how often processed offsets are committed (the producer is flushed first); a "
        "crash replays at most this much, and the replay is idempotent"
    )
    idle_sweep_seconds: float = Field(
        60.0, gt=0, description="how often a slice of the rep states is checked for reps idle beyond the model's "
        "horizon (12 half-lives of the slowest pillar), whose state is then dropped with a changelog tombstone"
    )
    idle_sweep_batch: int = Field(5000, ge=1, description="rep states checked per sweep")
    quota_reps: int = Field(
        100_000, ge=1, validation_alias="SSI_QUOTA_REPS_PER_TENANT",
        description="reps per tenant: events of a rep beyond it are dead-lettered (the api's directory has the same)")
    quota_parked_identities: int = Field(
        10_000, ge=1, validation_alias="SSI_QUOTA_PARKED_IDENTITIES_PER_TENANT",
        description="platform identities with parked webhook events per tenant; a new one beyond it is dead-lettered")
    quota_dead_letters_per_hour: int = Field(
        10_000, ge=1, validation_alias="SSI_QUOTA_DEAD_LETTERS_PER_TENANT_HOUR",
        description="dead letters written per tenant per clock hour by each scorer process; more are dropped")
    quota_refresh_seconds: float = Field(10.0, gt=0, description="how often the quota counts are read from Postgres")
    test_kill_at_record: int | None = Field(
        None, ge=1, description="fault injection for the tests only: the worker kills itself with SIGKILL in the "
        "middle of the batch that holds its N-th record, after some reps' writes of that batch were issued and "
        "before the others; refused when SSI_ENV=production"
    )

    @model_validator(mode="after")
    def _no_faults_in_production(self) -> ScorerSettings:
        if self.env == "production" and self.test_kill_at_record is not None:
            raise ValueError("SSI_SCORER_TEST_KILL_AT_RECORD is for tests and refused with SSI_ENV=production")
        return self
