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
    max_attempts: int = Field(
        0, ge=0, description="attempts for a failing batch before the sink exits to be restarted (0: retry for "
        "ever, with backoff); records that can never be written are dead-lettered, not retried"
    )
