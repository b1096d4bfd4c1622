"""LinkedIn webhooks (Community Management organization social actions, Lead Sync).

Validation: ``GET ?challengeCode=<uuid>`` -> JSON ``{"challengeCode", "challengeResponse": hex(HMAC-SHA256(
clientSecret, challengeCode))}`` within 3 s (for parent-child apps LinkedIn adds ``applicationId``: use that
app's secret). POSTs carry ``X-LI-Signature`` = lowercase hex HMAC-SHA256(clientSecret, ``"hmacsha256=" +
raw body``), the reading the reference doc tells acceptance tests to use; a ``hmacsha256=`` prefix on the
header value is tolerated. An HMAC over the body alone does NOT verify. No timestamp: dedupe on
``notificationId``. Only a ``challengeCode`` that is a UUID (8-4-4-4-12 hex digits, as LinkedIn sends) is
answered: anything else could be ``"hmacsha256=" + body`` and its answer a valid signature of that body.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from .common import Inbound, RawEvent, as_list, as_object, digest, equal, id_part, load_json, require_header
from .common import require_media_type
from .errors import BadSignature, MalformedPayload

PROVIDER = "linkedin"
SIGNATURE = "X-LI-Signature"
PREFIX = "hmacsha256="
CHALLENGE_CODE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def validation_response(challenge_code: str, secret: str) -> dict[str, str]:
    """The validation answer (JSON, status 200)."""
    return {"challengeCode": challenge_code, "challengeResponse": _hex(secret, challenge_code.encode())}


def handshake(query: Mapping[str, str], secret: str) -> dict[str, str]:
    """Answer for a validation GET's query; a missing ``challengeCode`` or one that is not a UUID is a 400."""
    code = query.get("challengeCode")
    if not isinstance(code, str) or not code:
        raise MalformedPayload("the challengeCode query parameter is missing")
    if not CHALLENGE_CODE.fullmatch(code):
        raise MalformedPayload("the challengeCode is not a UUID, the shape LinkedIn sends; it is not answered")
    return validation_response(code, secret)


def sign(body: bytes, secret: str) -> str:
    return _hex(secret, PREFIX.encode() + body)


def verify(inbound: Inbound, secret: str, now: datetime) -> None:
    """Raise ``BadSignature`` unless ``X-LI-Signature`` matches (``now`` is unused: no timestamp)."""
    value = require_header(inbound, SIGNATURE).lower()
    if value.startswith(PREFIX):
        value = value[len(PREFIX):]
    if not equal(value, sign(inbound.body, secret)):
        raise BadSignature(f"the {SIGNATURE} header does not match the body")


def delivery(inbound: Inbound) -> list[RawEvent]:
    """``{"type", "notifications": [...]}`` -> one event per notification, id ``notificationId``. A Lead Sync
    ``LEAD_ACTION`` object is one event, id ``leadGenFormResponse:leadAction``. Other typed objects without
    ids become one event keyed by a content hash (normalisation dead-letters them with a reason)."""
    require_media_type(inbound, ("application/json",))
    doc = as_object(load_json(inbound.body), "the LinkedIn body")
    kind = id_part(doc.get("type"), "type", required=False) or "unknown"
    if "notifications" in doc:
        out = []
        for i, item in enumerate(as_list(doc["notifications"], "notifications")):
            event = as_object(item, f"notifications[{i}]")
            key = id_part(event.get("notificationId"), f"notifications[{i}].notificationId")
            out.append(RawEvent(PROVIDER, key, kind, event, {"type": kind}))
        return out
    if kind == "LEAD_ACTION":
        key = ":".join([id_part(doc.get("leadGenFormResponse"), "leadGenFormResponse"),
                        id_part(doc.get("leadAction"), "leadAction", required=False)])
        return [RawEvent(PROVIDER, key, kind, doc, {"type": kind})]
    if kind == "unknown":
        raise MalformedPayload("the LinkedIn body has neither a type nor notifications")
    return [RawEvent(PROVIDER, f"{kind}:{digest(doc)}", kind, doc, {"type": kind})]
