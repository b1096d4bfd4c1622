"""Salesforce Outbound Messages: SOAP 1.1 XML, up to 100 ``Notification`` per message, no signature.

Authenticity rests on IP allow-listing, TLS/mTLS (outside this layer) and the ``OrganizationId`` check done by
``verify``: the configured org id (15 or 18 characters) must equal the message's. 15-character ids are
case-sensitive, so the first 15 characters are compared exactly; when both ids have 18, the 3-character
checksum suffix is compared too (case-insensitively). The XML parser refuses any DOCTYPE, entity declaration
or external entity, so billion-laughs and XXE bodies are ``MalformedPayload``. The answer must be HTTP 200 with
``ack()`` as ``text/xml; charset=utf-8``: anything else makes Salesforce retry (for up to 24 hours).
The ``SessionId`` is a live Salesforce session: it is never kept, only whether one was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.parsers import expat

from .common import MAX_BODY_BYTES, MAX_ID_CHARS, Inbound, RawEvent, equal, require_media_type
from .errors import BadSignature, MalformedPayload

PROVIDER = "salesforce"
MAX_NOTIFICATIONS = 100
MAX_DEPTH = 16
MAX_ELEMENTS = 50_000
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACK_CONTENT_TYPE = "text/xml; charset=utf-8"
_ACK = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body>
    <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
      <Ack>{ack}</Ack>
    </notificationsResponse>
  </soapenv:Body>
</soapenv:Envelope>"""


def ack(ok: bool = True) -> bytes:
    """The SOAP ``notificationsResponse`` (WSDL), to send with status 200 and ``ACK_CONTENT_TYPE``."""
    return _ACK.format(ack="true" if ok else "false").encode()


@dataclass
class _Node:
    name: str  # local name (namespace dropped)
    attrs: dict[str, str]  # "namespace local" or "local" -> value
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def child(self, name: str) -> _Node | None:
        return next((c for c in self.children if c.name == name), None)

    def value(self) -> str | None:
        return None if self.attrs.get(f"{XSI} nil") in ("true", "1") else "".join(self.text).strip()


def _refuse(*_: Any) -> None:
    raise MalformedPayload("the XML declares a DOCTYPE, entity or notation; DTDs and entities are refused")


def _tree(body: bytes) -> _Node:
    """Parse with expat, refusing DTDs and entities outright, and bounding depth and element count."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedPayload(f"the body is {len(body)} bytes, more than the {MAX_BODY_BYTES} allowed")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    for handler in ("StartDoctypeDeclHandler", "EntityDeclHandler", "UnparsedEntityDeclHandler",
                    "NotationDeclHandler", "ExternalEntityRefHandler"):
        setattr(parser, handler, _refuse)
    root = _Node("", {})
    stack, count = [root], [0]

    def start(name: str, attrs: dict[str, str]) -> None:
        count[0] += 1
        if len(stack) > MAX_DEPTH or count[0] > MAX_ELEMENTS:
            raise MalformedPayload("the XML is nested too deeply or has too many elements")
        node = _Node(name.rpartition(" ")[2], attrs)
        stack[-1].children.append(node)
        stack.append(node)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: stack.pop()
    parser.CharacterDataHandler = lambda data: stack[-1].text.append(data)
    try:
        parser.Parse(bytes(body), True)
    except (expat.ExpatError, LookupError, ValueError) as exc:  # LookupError: unknown declared encoding
        raise MalformedPayload(f"the body is not well-formed XML: {str(exc)[:200]}") from None
    if len(root.children) != 1:
        raise MalformedPayload("the XML has no root element")
    return root.children[0]


@dataclass(frozen=True)
class SalesforceNotification:
    """One ``Notification``: its Id (the idempotency key) and the sObject's type and chosen fields."""

    id: str
    sobject_type: str  # from xsi:type "sf:Opportunity" -> "Opportunity"
    fields: dict[str, str | None]  # field name -> text (None when xsi:nil)


@dataclass(frozen=True)
class SalesforceNotifications:
    """One outbound message: the envelope fields (never the SessionId itself) and its notifications."""

    organization_id: str
    action_id: str | None
    enterprise_url: str | None
    partner_url: str | None
    has_session_id: bool
    notifications: tuple[SalesforceNotification, ...]


def _text(node: _Node | None, what: str) -> str:
    value = node.value() if node is not None else None
    if not value:
        raise MalformedPayload(f"{what} is missing or empty")
    return value


def parse(body: bytes) -> SalesforceNotifications:
    """Parse an Outbound Message envelope (Envelope/Body/notifications), or raise ``MalformedPayload``."""
    envelope = _tree(body)
    soap_body = envelope.child("Body") if envelope.name == "Envelope" else None
    message = soap_body.child("notifications") if soap_body is not None else None
    if message is None:
        raise MalformedPayload("the body is not a SOAP Envelope/Body/notifications message")
    items = [c for c in message.children if c.name == "Notification"]
    if not 1 <= len(items) <= MAX_NOTIFICATIONS:
        raise MalformedPayload(f"a message holds 1 to {MAX_NOTIFICATIONS} Notification elements, not {len(items)}")
    notifications = []
    for i, item in enumerate(items):
        sobject = item.child("sObject")
        if sobject is None:
            raise MalformedPayload(f"Notification {i} has no sObject")
        kind = sobject.attrs.get(f"{XSI} type", "").rpartition(":")[2]
        fields = {c.name: c.value() for c in sobject.children}
        key = _text(item.child("Id"), f"Notification {i} Id")
        if len(key) > MAX_ID_CHARS:
            raise MalformedPayload(f"Notification {i} Id is longer than {MAX_ID_CHARS} characters")
        notifications.append(SalesforceNotification(key, kind or "unknown", fields))
    return SalesforceNotifications(
        organization_id=_text(message.child("OrganizationId"), "OrganizationId"),
        action_id=_optional(message, "ActionId"), enterprise_url=_optional(message, "EnterpriseUrl"),
        partner_url=_optional(message, "PartnerUrl"), has_session_id=_optional(message, "SessionId") is not None,
        notifications=tuple(notifications))


def _optional(node: _Node, name: str) -> str | None:
    child = node.child(name)
    return (child.value() or None) if child is not None else None


def same_org(configured: str, received: str) -> bool:
    """True when two org ids (15 or 18 characters) name the same org; see the module docstring."""
    a, b = configured.strip(), received.strip()
    if len(a) not in (15, 18) or len(b) not in (15, 18) or not (a + b).isascii() or not (a + b).isalnum():
        return False
    suffix_a, suffix_b = (a[15:].upper(), b[15:].upper()) if len(a) == len(b) == 18 else ("", "")
    return equal(a[:15] + suffix_a, b[:15] + suffix_b)


def verify(inbound: Inbound, secret: str, now: datetime) -> None:
    """``secret`` is this endpoint's org id. Raise ``BadSignature`` (401) when the message's ``OrganizationId``
    differs, ``MalformedPayload``/``UnsupportedMediaType`` when the body is not an outbound message."""
    require_media_type(inbound, ("text/xml", "application/xml", "application/soap+xml"))
    message = parse(inbound.body)
    if not same_org(secret, message.organization_id):
        raise BadSignature("the message's OrganizationId is not this endpoint's organization")


def delivery(inbound: Inbound) -> list[RawEvent]:
    """One event per Notification, keyed by the Notification Id. ``event`` is ``{"Id", "sObject": {"type",
    "fields"}}``; ``context`` holds ``OrganizationId`` and ``ActionId``."""
    require_media_type(inbound, ("text/xml", "application/xml", "application/soap+xml"))
    message = parse(inbound.body)
    context = {"OrganizationId": message.organization_id, "ActionId": message.action_id}
    return [RawEvent(PROVIDER, n.id, n.sobject_type,
                     {"Id": n.id, "sObject": {"type": n.sobject_type, "fields": n.fields}}, context)
            for n in message.notifications]
