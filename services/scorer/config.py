from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared import topics
from shared.settings import ServiceSettings


class ScorerSettings(ServiceSettings):
    """Environment: SSI_SCORER_* for these fields, plus the shared SSI_* ones. Used by the worker and the sink."""

    model_config = SettingsConfigDict(env_prefix="SSI_SCORER_", frozen=True, extra="ignore")

    app_id: str = Field("ssi-scorer", pattern=r"^[a-z0-9][a-z0-9._-]*$", description="Faust app id and group")
    host: str = "127.0.0.1"
    port: int = Field(8002, ge=1, le=65535, description="worker's /metrics, /healthz, /readyz")
    partitions: int = Field(topics.DEFAULT_PARTITIONS, ge=1)
    data_dir: Path = Field(Path(".run/scorer"), description="Faust's data directory")
    session_timeout_seconds: float = Field(15.0, ge=6, description="a dead worker's partitions move after this")
    dedup_retention_days: float = Field(8.0, gt=0, description="how long an event id is remembered")
    dedup_scan_every: int = Field(20_000, ge=1, description="records per partition between two prunings")
    producer_linger_ms: int = Field(5, ge=0, description="batch the worker's changelog and score writes")
    sink_group: str = "ssi-sink"
    sink_port: int = Field(8003, ge=1, le=65535, description="sink's /metrics")
    sink_batch_max: int = Field(2000, ge=1)
    sink_batch_wait_ms: int = Field(200, ge=1)
    sink_refresh_seconds: float = Field(300.0, ge=1, description="how often stored totals are re-read with decay")
