"""services.scorer.normalize: one test per mapping, Unmappable for everything else, fuzz, and the raw dicts
produced by the ingest webhook split (through a JSON round trip, as on Kafka)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.webhooks import Inbound, hubspot, linkedin, meta, salesforce, standard, x
from services.scorer.normalize import Normalized, Unmappable, normalize

REP = "2244994945"
T0 = datetime(2018, 3, 26, 16, 33, 26, 140000, tzinfo=UTC)


def raw(kind: str, event: dict[str, Any], context: dict[str, Any] | None = None, rid: str = "r1") -> dict[str, Any]:
    return {"id": rid, "kind": kind, "event": event, "context": context or {}}


def one(provider: str, record: dict[str, Any]) -> Normalized:
    [item] = normalize(provider, record)
    assert item.time.tzinfo is not None
    return item


def xraw(kind: str, event: dict[str, Any], **context: Any) -> dict[str, Any]:
    return raw(kind, event, {"for_user_id": REP, **context})


def user(uid: str, followers: int | None = None) -> dict[str, Any]:
    return {"id_str": uid, **({"followers_count": followers} if followers is not None else {})}


def tweet(author: str, **extra: Any) -> dict[str, Any]:
    return {"id_str": "1", "timestamp_ms": "1522082006140", "user": user(author, 500), **extra}


# --- X ------------------------------------------------------------------------------------------------------------

def test_x_own_tweet_is_post_published_with_reach() -> None:
    item = one("x", xraw("tweet_create_events", tweet(REP)))
    assert (item.type, item.source, item.identity, item.time, item.id) == ("post.published", "x", REP, T0, "r1")
    assert item.data == {"reach": 500}


def test_x_own_reply_to_someone_is_message_replied() -> None:
    item = one("x", xraw("tweet_create_events", tweet(REP, in_reply_to_user_id_str="77")))
    assert item.type == "message.replied" and item.data["counterpart"] == {"id": "77"}


def test_x_own_thread_reply_is_post_published() -> None:
    assert one("x", xraw("tweet_create_events", tweet(REP, in_reply_to_user_id_str=REP))).type == "post.published"


def test_x_own_retweet_is_content_shared() -> None:
    item = one("x", xraw("tweet_create_events", tweet(REP, retweeted_status={"user": user("77", 9)})))
    assert item.type == "content.shared" and item.data["counterpart"] == {"id": "77", "followers": 9}


def test_x_retweet_of_rep_is_content_amplified_with_amplifier_reach() -> None:
    item = one("x", xraw("tweet_create_events", tweet("77", retweeted_status={"user": user(REP)})))
    assert item.type == "content.amplified" and item.data["counterpart"] == {"id": "77", "followers": 500}


def test_x_quote_of_rep_is_content_amplified() -> None:
    assert one("x", xraw("tweet_create_events", tweet("77", quoted_status={"user": user(REP)}))).type == (
        "content.amplified")


def test_x_reply_to_rep_is_message_replied() -> None:
    item = one("x", xraw("tweet_create_events", tweet("77", in_reply_to_user_id_str=REP)))
    assert item.type == "message.replied" and item.data["counterpart"]["id"] == "77"


def test_x_mention_is_engagement_received() -> None:
    assert one("x", xraw("tweet_create_events", tweet("77"))).type == "engagement.received"


def test_x_created_at_used_when_no_timestamp_ms() -> None:
    event = {"id_str": "1", "created_at": "Mon Mar 26 16:33:26 +0000 2018", "user": user(REP)}
    assert one("x", xraw("tweet_create_events", event)).time == datetime(2018, 3, 26, 16, 33, 26, tzinfo=UTC)


def test_x_favorite_by_rep_is_reaction_given() -> None:
    event = {"id": "f", "timestamp_ms": 1522082006140, "user": user(REP), "favorited_status": {"user": user("77", 3)}}
    item = one("x", xraw("favorite_events", event))
    assert item.type == "reaction.given" and item.data["counterpart"] == {"id": "77", "followers": 3}


def test_x_favorite_of_rep_content_is_engagement_received() -> None:
    event = {"id": "f", "timestamp_ms": 1522082006140, "user": user("77", 3), "favorited_status": {"user": user(REP)}}
    assert one("x", xraw("favorite_events", event)).type == "engagement.received"


def test_x_follow_by_rep_is_connection_requested() -> None:
    event = {"type": "follow", "created_timestamp": "1517588749178", "source": {"id": REP}, "target": user("77", 40)}
    item = one("x", xraw("follow_events", event))
    assert item.type == "connection.requested" and item.data["counterpart"] == {"id": "77", "followers": 40}


def test_x_new_follower_is_follower_gained() -> None:
    event = {"type": "follow", "created_timestamp": "1517588749178", "source": user("77"), "target": {"id": REP}}
    item = one("x", xraw("follow_events", event))
    assert item.type == "follower.gained" and item.time == datetime(2018, 2, 2, 16, 25, 49, 178000, tzinfo=UTC)


def test_x_dm_sent_and_received() -> None:
    def dm(sender: str, recipient: str) -> dict[str, Any]:
        return {"type": "message_create", "id": "954491830116155396", "created_timestamp": "1516403560557",
                "message_create": {"target": {"recipient_id": recipient}, "sender_id": sender}}

    users = {"3001969357": {"id": "3001969357", "followers_count": 22}}
    sent = one("x", xraw("direct_message_events", dm(REP, "3001969357"), users=users))
    got = one("x", xraw("direct_message_events", dm("3001969357", REP), users=users))
    assert (sent.type, got.type) == ("message.sent", "message.replied")
    assert sent.data["counterpart"] == got.data["counterpart"] == {"id": "3001969357", "followers": 22}


@pytest.mark.parametrize(("kind", "event"), [
    ("follow_events", {"type": "unfollow", "created_timestamp": "1", "source": {"id": REP}, "target": {"id": "7"}}),
    ("tweet_delete_events", {"status": {"id": "1", "user_id": REP}, "timestamp_ms": "1432228155593"}),
    ("direct_message_indicate_typing_events", {"created_timestamp": "1", "sender_id": "7"}),
    ("favorite_events", {"timestamp_ms": 1, "user": user("7"), "favorited_status": {"user": user("8")}}),
    ("post.create", {"event_uuid": "1", "payload": {}}),
    ("direct_message_events", {"type": "reaction_create"}),
    ("direct_message_events", {"type": "message_create", "created_timestamp": "1",
                               "message_create": {"sender_id": "7", "target": {"recipient_id": "8"}}}),
])
def test_x_unmappable(kind: str, event: dict[str, Any]) -> None:
    with pytest.raises(Unmappable):
        normalize("x", xraw(kind, event))


def test_x_without_for_user_id_is_unmappable() -> None:
    with pytest.raises(Unmappable, match="for_user_id"):
        normalize("x", raw("tweet_create_events", tweet(REP)))


# --- Meta ---------------------------------------------------------------------------------------------------------

PAGE = {"object": "page", "entry_id": "1234567890", "entry_time": 1700000500}


def feed(item: str, actor: str, verb: str = "add") -> dict[str, Any]:
    return raw("page.feed", {"field": "feed", "value": {"item": item, "verb": verb, "from": {"id": actor},
                                                         "created_time": 1700000000}}, PAGE)


@pytest.mark.parametrize(("item", "actor", "expected"), [
    ("status", "1234567890", "post.published"), ("photo", "1234567890", "post.published"),
    ("video", "1234567890", "video.published"), ("comment", "1234567890", "comment.posted"),
    ("reaction", "1234567890", "reaction.given"), ("comment", "444", "engagement.received"),
    ("reaction", "444", "engagement.received"), ("post", "444", "engagement.received"),
])
def test_meta_page_feed(item: str, actor: str, expected: str) -> None:
    result = one("meta", feed(item, actor))
    assert (result.type, result.source, result.identity) == (expected, "facebook", "1234567890")
    assert result.time == datetime.fromtimestamp(1700000000, UTC)
    assert result.data == ({} if actor == "1234567890" else {"counterpart": {"id": "444"}})


@pytest.mark.parametrize("record", [feed("comment", "444", "remove"), feed("comment", "444", "edited"),
                                    feed("event", "444"), raw("whatsapp_business_account.messages",
                                                              {"field": "messages", "value": {}},
                                                              {"object": "whatsapp_business_account", "entry_id": "1"})])
def test_meta_unmappable(record: dict[str, Any]) -> None:
    with pytest.raises(Unmappable):
        normalize("meta", record)


def test_instagram_comments_and_mentions() -> None:
    ctx = {"object": "instagram", "entry_id": "17841400000", "entry_time": 1700000100}
    other = one("meta", raw("instagram.comments", {"field": "comments", "value": {"id": "1", "from": {"id": "232"}}}, ctx))
    own = one("meta", raw("instagram.comments", {"field": "comments", "value": {"from": {"id": "17841400000"}}}, ctx))
    mention = one("meta", raw("instagram.mentions", {"field": "mentions", "value": {"media_id": "5"}}, ctx))
    assert (other.type, own.type, mention.type) == ("engagement.received", "comment.posted", "engagement.received")
    assert other.source == "instagram" and other.time == datetime.fromtimestamp(1700000100, UTC)


def test_meta_messaging_sent_and_received() -> None:
    def msg(sender: str, recipient: str) -> dict[str, Any]:
        return raw("page.messaging", {"sender": {"id": sender}, "recipient": {"id": recipient},
                                      "timestamp": 1700000000123, "message": {"mid": "m", "text": "hi"}}, PAGE)

    assert one("meta", msg("1234567890", "9")).type == "message.sent"
    got = one("meta", msg("9", "1234567890"))
    assert got.type == "message.replied" and got.data == {"counterpart": {"id": "9"}}
    with pytest.raises(Unmappable):  # a read receipt, not a message
        normalize("meta", raw("page.messaging", {"sender": {"id": "9"}, "read": {"watermark": 1}}, PAGE))


# --- LinkedIn -----------------------------------------------------------------------------------------------------

def social(action: str) -> dict[str, Any]:
    event = {"notificationId": 123456789, "organizationalEntity": "urn:li:organization:2414183", "action": action,
             "sourcePost": "urn:li:share:7", "lastModifiedAt": 1700000000000, "subscriber": "urn:li:person:abc"}
    return raw("ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", event, {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"},
               rid="123456789")


@pytest.mark.parametrize(("action", "expected"), [
    ("LIKE", "engagement.received"), ("COMMENT", "engagement.received"), ("SHARE", "content.amplified"),
    ("SHARE_MENTION", "engagement.received"), ("ADMIN_COMMENT", "comment.posted"),
])
def test_linkedin_social_actions(action: str, expected: str) -> None:
    item = one("linkedin", social(action))
    assert (item.type, item.identity, item.id, item.source) == (
        expected, "urn:li:organization:2414183", "123456789", "linkedin")
    assert item.time == datetime.fromtimestamp(1700000000, UTC) and item.data["post"] == "urn:li:share:7"


@pytest.mark.parametrize("action", ["COMMENT_EDIT", "COMMENT_DELETE", "SOMETHING"])
def test_linkedin_unmappable_actions(action: str) -> None:
    with pytest.raises(Unmappable):
        normalize("linkedin", social(action))


def test_linkedin_lead_created_is_lead_saved() -> None:
    event = {"type": "LEAD_ACTION", "leadGenFormResponse": "urn:li:leadGenFormResponse:a", "leadAction": "CREATED",
             "owner": {"sponsoredAccount": "urn:li:sponsoredAccount:522"}, "occuredAt": 1700000000000}
    item = one("linkedin", raw("LEAD_ACTION", event))
    assert (item.type, item.identity) == ("lead.saved", "urn:li:sponsoredAccount:522")
    with pytest.raises(Unmappable):
        normalize("linkedin", raw("LEAD_ACTION", {**event, "leadAction": "DELETED"}))


# --- HubSpot ------------------------------------------------------------------------------------------------------

def hs(kind: str, **extra: Any) -> dict[str, Any]:
    event = {"objectId": 1246978, "eventId": 3816279480, "subscriptionId": 22, "portalId": 33, "appId": 1160452,
             "occurredAt": 1462216307945, "subscriptionType": kind, "attemptNumber": 0, **extra}
    return raw(kind, event)


@pytest.mark.parametrize(("record", "expected"), [
    (hs("contact.creation"), "lead.saved"),
    (hs("deal.creation"), "opportunity.created"),
    (hs("deal.propertyChange", propertyName="dealstage", propertyValue="closedwon"), "deal.won"),
    (hs("deal.propertyChange", propertyName="dealstage", propertyValue="closedlost"), "deal.lost"),
    (hs("meeting.creation"), "meeting.booked"),
    (hs("object.creation", objectTypeId="0-47"), "meeting.booked"),
    (hs("call.creation"), "call.completed"),
    (hs("object.creation", objectTypeId="0-48"), "call.completed"),
    (hs("email.propertyChange", propertyName="hs_email_direction", propertyValue="INCOMING_EMAIL"), "email.replied"),
])
def test_hubspot_mappings(record: dict[str, Any], expected: str) -> None:
    item = one("hubspot", record)
    assert (item.type, item.identity, item.source) == (expected, "33", "hubspot")
    assert item.time == datetime.fromtimestamp(1462216307.945, UTC) and item.data["object_id"] == "1246978"


@pytest.mark.parametrize("record", [
    hs("contact.propertyChange", propertyName="lifecyclestage", propertyValue="subscriber"),
    hs("deal.propertyChange", propertyName="dealstage", propertyValue="appointmentscheduled"),
    hs("contact.deletion"), hs("object.creation", objectTypeId="0-1"),
    hs("email.propertyChange", propertyName="hs_email_direction", propertyValue="EMAIL"),
])
def test_hubspot_unmappable(record: dict[str, Any]) -> None:
    with pytest.raises(Unmappable):
        normalize("hubspot", record)


def test_hubspot_event_type_spelling_is_read_from_kind() -> None:
    record = hs("contact.creation")
    record["event"].pop("subscriptionType")
    record["event"]["eventType"] = "contact.creation"
    assert one("hubspot", record).type == "lead.saved"


# --- Salesforce ---------------------------------------------------------------------------------------------------

def sf(sobject: str, **fields: Any) -> dict[str, Any]:
    base = {"Id": "006000000000001AAA", "OwnerId": "005000000000001AAA", "CreatedDate": "2026-05-01T10:00:00.000Z",
            "LastModifiedDate": "2026-05-20T10:00:00.000Z"}
    return raw(sobject, {"Id": "04l1", "sObject": {"type": sobject, "fields": {**base, **fields}}},
               {"OrganizationId": "00D", "ActionId": "04k"}, rid="04l1")


def test_salesforce_open_opportunity_is_created() -> None:
    item = one("salesforce", sf("Opportunity", StageName="Prospecting", IsClosed="false", Amount="1200.50"))
    assert (item.type, item.identity, item.id) == ("opportunity.created", "005000000000001AAA",
                                                   "006000000000001AAA:opportunity.created")
    assert item.time == datetime(2026, 5, 1, 10, tzinfo=UTC) and item.data["amount"] == 1200.5


def test_salesforce_won_and_lost() -> None:
    won = one("salesforce", sf("Opportunity", IsClosed="true", IsWon="true", Amount="5000"))
    lost = one("salesforce", sf("Opportunity", IsClosed="true", IsWon="false"))
    assert (won.type, lost.type) == ("deal.won", "deal.lost")
    assert won.time == datetime(2026, 5, 20, 10, tzinfo=UTC) and won.data["amount"] == 5000.0
    assert won.id == "006000000000001AAA:deal.won"


def test_salesforce_stage_name_fallback() -> None:
    assert one("salesforce", sf("Opportunity", StageName="Closed Won")).type == "deal.won"
    assert one("salesforce", sf("Opportunity", StageName="Closed Lost")).type == "deal.lost"


def test_salesforce_completed_call_task() -> None:
    item = one("salesforce", sf("Task", TaskSubtype="Call", Status="Completed",
                                CompletedDateTime="2026-05-21T09:30:00.000+0000"))
    assert item.type == "call.completed" and item.time == datetime(2026, 5, 21, 9, 30, tzinfo=UTC)
    with pytest.raises(Unmappable):
        normalize("salesforce", sf("Task", TaskSubtype="Call", Status="Not Started"))
    with pytest.raises(Unmappable):
        normalize("salesforce", sf("Task", TaskSubtype="Email", Status="Completed"))


def test_salesforce_event_and_lead() -> None:
    meeting = one("salesforce", sf("Event", StartDateTime="2026-06-02T15:00:00.000Z"))
    assert meeting.type == "meeting.booked" and meeting.data["start"] == "2026-06-02T15:00:00.000Z"
    assert one("salesforce", sf("Lead")).type == "lead.saved"


def test_salesforce_unmappable() -> None:
    with pytest.raises(Unmappable):
        normalize("salesforce", sf("Contact"))
    with pytest.raises(Unmappable, match="identity"):
        normalize("salesforce", sf("Opportunity", OwnerId=None))
    with pytest.raises(Unmappable, match="timestamp"):
        normalize("salesforce", sf("Lead", CreatedDate=None, LastModifiedDate="yesterday"))


# --- Standard Webhooks (CloudEvents) ------------------------------------------------------------------------------

CE = {"specversion": "1.0", "id": "evt-1", "source": "crm-bridge", "type": "meeting.booked",
      "time": "2026-06-01T11:59:00Z", "subject": "rep-7", "data": {"counterpart": {"id": "p-1"}}}


def test_standard_cloudevent_as_given() -> None:
    item = one("standard", raw("cloudevent", CE, rid="msg_1"))
    assert item == Normalized("evt-1", "crm-bridge", "meeting.booked", datetime(2026, 6, 1, 11, 59, tzinfo=UTC),
                              "rep-7", {"counterpart": {"id": "p-1"}})


@pytest.mark.parametrize("event", [
    {k: v for k, v in CE.items() if k != "subject"},
    {**CE, "specversion": "0.3"}, {**CE, "time": "2026-06-01T11:59:00"}, {**CE, "type": "Not A Verb"},
    {"type": "contact.created", "timestamp": "2022-11-03T20:26:10.344522Z", "data": {"id": "1f81"}},
])
def test_standard_invalid_cloudevent_unmappable(event: dict[str, Any]) -> None:
    with pytest.raises(Unmappable):
        normalize("standard", raw("cloudevent", event))


# --- general ------------------------------------------------------------------------------------------------------

def test_unknown_provider_and_bad_records() -> None:
    with pytest.raises(Unmappable):
        normalize("myspace", raw("k", {}))
    with pytest.raises(Unmappable):
        normalize("x", {"id": "1", "kind": "favorite_events"})
    with pytest.raises(Unmappable):
        normalize("x", "not a dict")  # type: ignore[arg-type]


def kafka(events: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(orjson.dumps(e.as_dict())) for e in events]


def test_end_to_end_from_each_delivery_split() -> None:
    def req(body: bytes, ctype: str = "application/json", **headers: str) -> Inbound:
        return Inbound("POST", "https://h/", {"content-type": ctype, **headers}, {}, body)

    fav = (b'{"for_user_id":"2244994945","favorite_events":[{"id":"a7","timestamp_ms":1522082006140,'
           b'"favorited_status":{"user":{"id_str":"2244994945"}},"user":{"id_str":"77"}}]}')
    assert normalize("x", kafka(x.delivery(req(fav)))[0])[0].type == "engagement.received"
    page = (b'{"object":"page","entry":[{"id":"1234567890","time":1700000000,"changes":[{"field":"feed","value":'
            b'{"item":"comment","verb":"add","comment_id":"111_222","post_id":"1234567890_333","from":{"id":"444",'
            b'"name":"Test User"},"message":"Hello","created_time":1700000000}}]}]}')
    assert normalize("meta", kafka(meta.delivery(req(page)))[0])[0].type == "engagement.received"
    li = (b'{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[{"notificationId":1,'
          b'"organizationalEntity":"urn:li:organization:1","action":"SHARE","lastModifiedAt":1700000000000}]}')
    assert normalize("linkedin", kafka(linkedin.delivery(req(li)))[0])[0].type == "content.amplified"
    hub = b'[{"eventId":1,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"deal.creation","objectId":9}]'
    assert normalize("hubspot", kafka(hubspot.delivery(req(hub)))[0])[0].type == "opportunity.created"
    ce = orjson.dumps(CE)
    assert normalize("standard", kafka(standard.delivery(req(ce, **{"webhook-id": "m1"})))[0])[0].id == "evt-1"
    xml = (b'<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
           b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><e:Body><notifications '
           b'xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D000000000001</OrganizationId>'
           b'<Notification><Id>04l1</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.'
           b'sforce.com"><sf:Id>0061</sf:Id><sf:OwnerId>0051</sf:OwnerId><sf:IsClosed>true</sf:IsClosed>'
           b'<sf:IsWon>true</sf:IsWon><sf:LastModifiedDate>2026-05-20T10:00:00.000Z</sf:LastModifiedDate>'
           b'<sf:Amount>100</sf:Amount></sObject></Notification></notifications></e:Body></e:Envelope>')
    [won] = normalize("salesforce", kafka(salesforce.delivery(req(xml, "text/xml")))[0])
    assert (won.type, won.identity, won.data["amount"]) == ("deal.won", "0051", 100.0)


KEYS = ["user", "id_str", "id", "timestamp_ms", "created_at", "retweeted_status", "quoted_status", "value", "from",
        "item", "verb", "action", "organizationalEntity", "portalId", "occurredAt", "propertyName", "sObject",
        "fields", "OwnerId", "type", "message_create", "sender_id", "specversion", "subject", "time", "source"]
VALUES = st.recursive(st.none() | st.booleans() | st.integers(-(2**66), 2**66) | st.text(max_size=8)
                      | st.sampled_from([REP, "add", "LIKE", "follow", "Opportunity", "2026-01-01", "true"]),
                      lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(KEYS), c, max_size=6),
                      max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["x", "meta", "linkedin", "hubspot", "salesforce", "standard"]),
       st.sampled_from(["tweet_create_events", "favorite_events", "follow_events", "direct_message_events",
                        "page.feed", "instagram.comments", "page.messaging", "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS",
                        "LEAD_ACTION", "deal.propertyChange", "contact.creation", "Opportunity", "Task", "cloudevent"]),
       st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8),
       st.dictionaries(st.sampled_from(["for_user_id", "object", "entry_id", "entry_time", "users"]),
                       st.sampled_from([REP, "page", "instagram", 1700000000, None, {}]) | VALUES, max_size=4))
def test_fuzz_normalize_only_unmappable(provider: str, kind: str, event: dict, context: dict) -> None:
    try:
        result = normalize(provider, raw(kind, event, context))
    except Unmappable:
        return
    for item in result:
        assert item.time.tzinfo is not None and item.identity and item.id and "." in item.type
