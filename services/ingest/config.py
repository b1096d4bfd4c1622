from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared import topics
from shared.http.client_address import Network, parse_networks
from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Environment: SSI_INGEST_* for these fields, plus the shared SSI_* ones."""

    model_config = SettingsConfigDict(env_prefix="SSI_INGEST_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8001, ge=1, le=65535)
    max_body_bytes: int = Field(1_048_576, ge=1024, description="larger bodies get 413")
    max_batch_events: int = Field(1000, ge=1)
    max_webhook_body_bytes: int = Field(5 * 1_048_576, ge=1024, description="Meta batches up to 1000 changes")
    produce_timeout_seconds: float = Field(10.0, gt=0, description="no Kafka ack by then: 503 and the sender retries")
    kafka_linger_ms: int = Field(0, ge=0, le=100, description="see shared.kafka_producer.LINGER_MS")
    retry_after_seconds: int = Field(5, ge=1)
    partitions: int = Field(topics.DEFAULT_PARTITIONS, ge=1)
    handshakes_per_minute: int = Field(10, ge=1, description="webhook handshakes (GET) per endpoint per minute")
    quota_events_per_second: float = Field(
        50_000, gt=0, description="events a tenant may send per second (POST /v1/events and webhook deliveries "
        "together; a batch counts as its number of events), past which 429 with Retry-After. Per ingest process: "
        "each of SSI_INGEST_WORKERS workers holds its own token bucket per tenant, so N workers allow up to N "
        "times this rate",
    )
    quota_burst_events: int = Field(
        100_000, ge=1, description="the token bucket's size: events a tenant may send at once after a quiet "
        "spell (per ingest process, as the rate)",
    )
    trusted_proxies: str = Field(
        "", description="comma-separated addresses/CIDRs of the proxies whose X-Forwarded-For is believed"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a bad entry fails at start-up, naming it
        return value

    def proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)
