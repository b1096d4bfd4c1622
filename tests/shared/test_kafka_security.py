"""Kafka security settings: what each protocol gives the clients, and what production refuses. Pure."""

from __future__ import annotations

import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError

from shared.settings import ServiceSettings

PRODUCTION = {"SSI_ENV": "production", "SSI_KAFKA_BOOTSTRAP": "kafka.internal:9093",
              "SSI_DATABASE_URL": "postgresql+asyncpg://ssi:pw@db/ssi",
              "SSI_SECRET_KEY": "x" * 43 + "="}


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> ServiceSettings:
    for name in list(PRODUCTION) + ["SSI_KAFKA_SECURITY_PROTOCOL", "SSI_KAFKA_ALLOW_PLAINTEXT",
                                    "SSI_KAFKA_SASL_USERNAME", "SSI_KAFKA_SASL_PASSWORD"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ServiceSettings()


def test_production_refuses_plaintext_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="refuses SSI_KAFKA_SECURITY_PROTOCOL=PLAINTEXT"):
        settings(monkeypatch, **PRODUCTION)
    with pytest.raises(ValidationError, match="SASL_PLAINTEXT"):
        settings(monkeypatch, **PRODUCTION, SSI_KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
                 SSI_KAFKA_SASL_USERNAME="u", SSI_KAFKA_SASL_PASSWORD="p")
    allowed = settings(monkeypatch, **PRODUCTION, SSI_KAFKA_ALLOW_PLAINTEXT="true")
    assert allowed.kafka_security().client_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert settings(monkeypatch, SSI_ENV="dev").kafka_security_protocol == "PLAINTEXT"  # dev and test may


def test_sasl_ssl_in_production_gives_every_client_scram_over_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, **PRODUCTION, SSI_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
                 SSI_KAFKA_SASL_USERNAME="ssi", SSI_KAFKA_SASL_PASSWORD="pw-8f3k")
    kwargs = s.kafka_security().client_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL" and kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "ssi" and kwargs["sasl_plain_password"] == "pw-8f3k"
    assert kwargs["ssl_context"] is not None
    faust_auth = credentials_to_aiokafka_auth(s.kafka_security().faust_credentials())
    assert faust_auth["security_protocol"] == "SASL_SSL" and faust_auth["sasl_mechanism"] == "SCRAM-SHA-512"
    assert "pw-8f3k" not in str(s.safe_dump())


def test_sasl_needs_a_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="SSI_KAFKA_SASL_USERNAME"):
        settings(monkeypatch, SSI_ENV="test", SSI_KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT")
