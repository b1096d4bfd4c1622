"""Encryption at rest for tenants' webhook secrets: the protocols need the secret itself to verify, so it is
stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256) under SSI_SECRET_KEY, never hashed, never logged."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

DEV_SECRET_KEY = "ZGV2LW9ubHktc2VjcmV0LWtleS1kby1ub3QtdXNlLTE="
"""Development only: production settings refuse it."""


class SecretBox:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("utf-8"))

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode("utf-8")
        except InvalidToken:
            raise ValueError("a stored secret does not decrypt with SSI_SECRET_KEY (was the key rotated?)") from None

    def __repr__(self) -> str:  # never show the key
        return "SecretBox(***)"
