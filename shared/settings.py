"""Settings building blocks. Each service defines ONE settings class from these and builds it at start-up.

Nothing is instantiated here: importing this module reads no environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka_security import KafkaSecurity
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
    database_url: str = Field(DEV_DATABASE_URL, validation_alias="SSI_DATABASE_URL")
    model_file: Path | None = Field(None, validation_alias="SSI_MODEL_FILE", description="default: packaged model")
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET_KEY), validation_alias="SSI_SECRET_KEY", description="Fernet key for secrets at rest"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias="SSI_LOG_LEVEL")
    # how every Kafka client connects (shared.kafka_security); production refuses the unencrypted protocols
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias="SSI_KAFKA_SECURITY_PROTOCOL")
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        "SCRAM-SHA-512", validation_alias="SSI_KAFKA_SASL_MECHANISM")
    kafka_sasl_username: str | None = Field(None, validation_alias="SSI_KAFKA_SASL_USERNAME")
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias="SSI_KAFKA_SASL_PASSWORD")
    kafka_ssl_cafile: Path | None = Field(None, validation_alias="SSI_KAFKA_SSL_CAFILE")
    kafka_ssl_certfile: Path | None = Field(None, validation_alias="SSI_KAFKA_SSL_CERTFILE")
    kafka_ssl_keyfile: Path | None = Field(None, validation_alias="SSI_KAFKA_SSL_KEYFILE")
    kafka_allow_plaintext: bool = Field(
        False, validation_alias="SSI_KAFKA_ALLOW_PLAINTEXT",
        description="production only: accept PLAINTEXT or SASL_PLAINTEXT (e.g. TLS ends at a sidecar)")

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
            if self.kafka_security_protocol in ("PLAINTEXT", "SASL_PLAINTEXT") and not self.kafka_allow_plaintext:
                raise ValueError(f"SSI_ENV=production refuses SSI_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} "
                                 "(unencrypted); use SASL_SSL or SSL, or set SSI_KAFKA_ALLOW_PLAINTEXT=true")
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(f"SSI_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                             "SSI_KAFKA_SASL_USERNAME and SSI_KAFKA_SASL_PASSWORD")
        return self

    def scoring_model(self) -> ScoringModel:
        """The active scoring model, validated (a bad file raises ModelFileError at start-up)."""
        return load_model(self.model_file) if self.model_file else load_default_model()

    def kafka_security(self) -> KafkaSecurity:
        password = self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None
        return KafkaSecurity(
            protocol=self.kafka_security_protocol, sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username, password=password,
            cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None,
            certfile=str(self.kafka_ssl_certfile) if self.kafka_ssl_certfile else None,
            keyfile=str(self.kafka_ssl_keyfile) if self.kafka_ssl_keyfile else None,
        )

    def secret_box(self) -> SecretBox:
        return SecretBox(self.secret_key.get_secret_value())

    def safe_dump(self) -> dict[str, object]:
        """For start-up logs: everything but credentials."""
        data = self.model_dump()
        data["secret_key"] = "***"
        if data.get("kafka_sasl_password") is not None:
            data["kafka_sasl_password"] = "***"
        url = str(data["database_url"])
        if "@" in url:
            scheme, rest = url.split("//", 1)
            creds, host = rest.rsplit("@", 1)
            data["database_url"] = f"{scheme}//{creds.split(':')[0]}:***@{host}"
        return data
