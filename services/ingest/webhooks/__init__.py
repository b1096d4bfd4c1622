"""Pure protocol layer for inbound webhooks: verification, handshakes and splitting deliveries into events.

One module per sender (``standard``, ``hubspot``, ``salesforce``, ``x``, ``meta``, ``linkedin``); each has
``verify(inbound, secret, now)`` raising ``WebhookError`` subclasses and ``delivery(inbound) -> list[RawEvent]``.
No HTTP framework, Kafka, database or other I/O here.
"""

from .common import Inbound, RawEvent
from .errors import BadHandshake, BadSignature, MalformedPayload, StaleTimestamp, UnsupportedMediaType, WebhookError

__all__ = [
    "BadHandshake", "BadSignature", "Inbound", "MalformedPayload", "RawEvent", "StaleTimestamp",
    "UnsupportedMediaType", "WebhookError",
]
