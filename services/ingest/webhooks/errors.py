"""Errors of the webhook protocol layer. Each carries the HTTP status to answer and a reason for humans.

A reason never contains a secret, a signature we computed, or anything else that would help forge a request.
"""

from __future__ import annotations


class WebhookError(Exception):
    """A request that must be refused. ``status`` is the HTTP status, ``reason`` a clear sentence."""

    status: int = 400

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if status is not None:
            self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, reason={self.reason!r})"


class BadSignature(WebhookError):
    """The request is not authentic: a signature (or Salesforce's OrganizationId) is missing or wrong."""

    status = 401


class StaleTimestamp(WebhookError):
    """The signed timestamp is outside the replay window."""

    status = 401


class BadHandshake(WebhookError):
    """A subscription handshake failed. 403 by default: Meta's docs and samples answer a wrong verify token
    with a non-200 and 403 is what its sample code uses. X and LinkedIn handshakes never raise it (they only
    compute an answer); a missing challenge parameter is a ``MalformedPayload`` (400, as X's sample does)."""

    status = 403


class MalformedPayload(WebhookError):
    """The body (or a required query parameter) cannot be parsed or has the wrong shape."""

    status = 400


class UnsupportedMediaType(WebhookError):
    """The Content-Type is not one the sender uses for this protocol."""

    status = 415
