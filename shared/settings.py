"""Settings building blocks. Each service defines ONE settings class from these and builds it at start-up.

Nothing is instantiated here: importing this module reads no environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.scoring import ScoringModel, load_default_model, load_model
from shared.secretbox import DEV_SECRET_KEY, SecretBox

DEV_DATABASE_URL = "postgresql+asyncpg://ssi@127.0.0.1:15432/ssi"
DEV_KAFKA_BOOTSTRAP = "127.0.0.1:19092"


class ServiceSettings(BaseSettings):
    """Settings every service has. Shared variables keep one name (SSI_...) whatever the service's prefix."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    env: Literal["dev", "test", "production"] | None = Field(
        None, validation_alias="SSI_ENV", description="required: a deployment that forgets it must not start on dev keys"
    )
    kafka_bootstrap: str = Field(DEV_KAFKA_BOOTSTRAP, validation_alias="SSI_KAFKA_BOOTSTRAP", min_length=3)
    kafka_replication_factor: int = Field(
        1, ge=1, le=15, validation_alias="SSI_KAFKA_REPLICATION_FACTOR",
        description="copies of each topic the services create (the product's topics, the scorer's changelogs); "
        "3 on a replicated cluster (deploy/kafka.sh cluster), with the brokers' min.insync.replicas=2",
    )
    database_url: str = Field(DEV_DATABASE_URL, validation_alias="SSI_DATABASE_URL")
    model_file: Path | None = Field(None, validation_alias="SSI_MODEL_FILE", description="default: packaged model")
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET_KEY), validation_alias="SSI_SECRET_KEY", description="Fernet key for secrets at rest"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias="SSI_LOG_LEVEL")

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> ServiceSettings:
        if self.env is None:
            raise ValueError("SSI_ENV is not set: set it to dev, test or production (`make run` and `make test` "
                             "set it; a deployment says production, which refuses the development keys)")
        if not self.database_url.startswith("postgresql+asyncpg://"):
            raise ValueError("SSI_DATABASE_URL must be a postgresql+asyncpg:// URL")
        if self.env == "production":
            if self.database_url == DEV_DATABASE_URL or ":" not in self.database_url.split("//", 1)[1].split("@")[0]:
                raise ValueError("SSI_ENV=production refuses the password-less development database URL")
            if self.secret_key.get_secret_value() == DEV_SECRET_KEY:
                raise ValueError("SSI_ENV=production refuses the development SSI_SECRET_KEY")
            if self.kafka_bootstrap == DEV_KAFKA_BOOTSTRAP:
                raise ValueError("SSI_ENV=production refuses the development Kafka address; set SSI_KAFKA_BOOTSTRAP")
        return self

    def scoring_model(self) -> ScoringModel:
        """The active scoring model, validated (a bad file raises ModelFileError at start-up)."""
        return load_model(self.model_file) if self.model_file else load_default_model()

    def secret_box(self) -> SecretBox:
        return SecretBox(self.secret_key.get_secret_value())

    def safe_dump(self) -> dict[str, object]:
        """For start-up logs: everything but credentials."""
        data = self.model_dump()
        data["secret_key"] = "***"
        url = str(data["database_url"])
        if "@" in url:
            scheme, rest = url.split("//", 1)
            creds, host = rest.rsplit("@", 1)
            data["database_url"] = f"{scheme}//{creds.split(':')[0]}:***@{host}"
        return data
