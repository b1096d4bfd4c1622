from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ApiSettings(ServiceSettings):
    """Environment: SSI_API_* for these fields, plus the shared SSI_* ones."""

    model_config = SettingsConfigDict(env_prefix="SSI_API_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    history_default_days: int = Field(30, ge=1)
    history_max_days: int = Field(366, ge=1)
    ingest_public_url: str = Field(
        "http://127.0.0.1:8001", validation_alias="SSI_INGEST_PUBLIC_URL", description="base of webhook URLs shown"
    )
    rank_min_cohort: int = Field(10, ge=2, description="ranks in smaller cohorts are withheld (LinkedIn used 10)")
    rank_min_other_tenants: int = Field(
        3, ge=1, description="the industry rank needs reps of at least this many other tenants"
    )
    quota_reps: int = Field(
        100_000, ge=1, validation_alias="SSI_QUOTA_REPS_PER_TENANT",
        description="directory entries per tenant; a PUT of a new rep beyond it is refused (403)")
    db_pool_size: int = Field(
        10, ge=1, le=100, description="Postgres connections per api worker process (a request waits for a free one)")
    cursor_seconds: float = Field(
        900.0, gt=0, description="a leaderboard walk's cursors are valid this long after its first page (410 after); "
        "keep it below the sink's SSI_SINK_WALK_LOG_SECONDS, which keeps the changes a walk reads")
    page_cache_seconds: float = Field(
        60.0, ge=0, description="a first leaderboard page is kept by its worker this long at most, and served while "
        "no write of its tenant's data happened since (services.api.reading.page_cache); 0 turns the cache off; "
        "at most SSI_API_CURSOR_SECONDS")
    page_cache_entries: int = Field(256, ge=0, description="first leaderboard pages kept per worker process")
    max_body_bytes: int = Field(65_536, ge=1024, description="larger request bodies get 413")

    @model_validator(mode="after")
    def _page_cache_within_cursor(self) -> ApiSettings:
        # a kept page carries its walk's cursor, and the writes log that validates it is kept as long as cursors
        if self.page_cache_seconds > self.cursor_seconds:
            raise ValueError(f"SSI_API_PAGE_CACHE_SECONDS ({self.page_cache_seconds}) must not exceed "
                             f"SSI_API_CURSOR_SECONDS ({self.cursor_seconds})")
        return self
