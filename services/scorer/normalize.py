"""Provider event -> normalised activity. Pure: no I/O.

Input ``raw`` is one ``RawEvent.as_dict()`` of ``services.ingest.webhooks`` (JSON, as it travels on Kafka)::

    {"id": str,        # idempotency id from the ingest split (stable across sender retries)
     "kind": str,      # provider kind: X "favorite_events", Meta "page.feed", HubSpot "deal.creation", ...
     "event": dict,    # the single provider event as sent (Salesforce: {"Id", "sObject": {"type", "fields"}})
     "context": dict}  # envelope facts: X {"for_user_id", "users"?}; Meta {"object", "entry_id", "entry_time"};
                       # LinkedIn {"type"}; Salesforce {"OrganizationId", "ActionId"}; HubSpot/standard {}

``identity`` is the platform account the event is about (X ``for_user_id``, Meta page / IG account id,
LinkedIn organization or lead-form owner URN, Salesforce ``OwnerId``, HubSpot ``portalId``, CloudEvent
``subject``); mapping it to a rep is the directory's job. ``Normalized.id`` is the raw id, except Salesforce
(``<record Id>:<type>``, so repeated workflow fires on one record count once) and standard (the CloudEvent id).

Documented (the reference doc names the fields): X favorite/follow/DM/tweet direction via ``for_user_id``;
Meta feed ``item``/``verb``/``from``; LinkedIn ``action`` values; HubSpot ``contact.creation``,
``deal.creation``, ``dealstage``; Salesforce ``OwnerId``; CloudEvent attributes.
GUESSES (the doc is silent on what an event means for selling):
- X: a reply by the rep or to the rep -> message.replied (the brief; comment.posted would also be defensible);
  a retweet or quote by the rep -> content.shared; of the rep's post by someone else -> content.amplified;
  a mention -> engagement.received; an inbound DM -> message.replied; the rep following -> connection.requested.
  X Activity API (``data.event_uuid``) payloads are undocumented: Unmappable.
- Meta: a page's own post/status/photo/share -> post.published (video -> video.published), its own comment ->
  comment.posted, its own reaction -> reaction.given; anyone else's -> engagement.received. Instagram
  comments/live_comments by others and mentions -> engagement.received. Messaging: sent/received by the
  account -> message.sent / message.replied. Only ``verb == "add"`` counts; WhatsApp is Unmappable.
- LinkedIn: LIKE/COMMENT/SHARE_MENTION -> engagement.received, SHARE -> content.amplified, ADMIN_COMMENT ->
  comment.posted, Lead Sync CREATED -> lead.saved; identity = organizationalEntity (org notifications carry
  no member who acted) / the first URN in ``owner``.
- HubSpot: webhooks carry no owner, so identity = portalId (a downstream lookup may resolve the owner from
  ``data.object_id``); dealstage closedwon/closedlost -> deal.won/deal.lost; meeting/call creation
  (``meeting.creation``/``call.creation`` or ``object.creation`` with objectTypeId 0-47/0-48) ->
  meeting.booked/call.completed; ``hs_email_direction`` INCOMING_EMAIL -> email.replied.
- Salesforce: Opportunity closed+won / closed / open -> deal.won / deal.lost / opportunity.created; Task with
  subtype or type Call and Completed -> call.completed; Event -> meeting.booked; Lead -> lead.saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from shared.providers import PROVIDERS
from shared.events import CloudEvent


@dataclass(frozen=True)
class Normalized:
    id: str  # idempotency id, unique per source
    source: str  # platform: "linkedin", "x", "facebook", "instagram", "hubspot", "salesforce", or CloudEvent source
    type: str  # a DESIGN.md vocabulary verb or CRM outcome
    time: datetime  # timezone-aware, from the provider's own timestamp
    identity: str  # platform user id / CRM owner the event is about (the rep's account), not a rep id
    data: dict[str, Any] = field(default_factory=dict)


class Unmappable(ValueError):
    """A verified event that cannot be mapped to an activity; ``reason`` says why (for the dead-letter topic)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _s(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value):
        return str(value)
    return None


def _epoch(value: Any, scale: int) -> datetime | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value / scale < 253402300799:
        return datetime.fromtimestamp(value / scale, UTC)
    return None


def _iso(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:  # date-only CRM fields (CloseDate): midnight UTC
        return parsed.replace(tzinfo=UTC) if len(value) == 10 else None
    return parsed


def _twitter(value: Any) -> datetime | None:
    try:  # "Mon Mar 26 16:33:26 +0000 2018"
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y") if isinstance(value, str) else None
    except ValueError:
        return None


def _one(rid: Any, source: str, kind: str, time: datetime | None, identity: Any, **data: Any) -> list[Normalized]:
    if not _s(rid):
        raise Unmappable(f"{source} {kind}: the event has no id")
    if time is None:
        raise Unmappable(f"{source} {kind}: the event has no usable timestamp")
    if not _s(identity):
        raise Unmappable(f"{source} {kind}: the event names no account (identity)")
    clean = {k: v for k, v in data.items() if v not in (None, {}, "")}
    return [Normalized(str(rid), source, kind, time, str(identity), clean)]


def _who(user: Any, users: Any = None) -> dict[str, Any]:
    """Counterpart ``{"id", "followers"}`` from an X user object, or an id plus the envelope's users map."""
    if not isinstance(user, dict):
        user = {"id_str": user, **(_get(users, str(user)) or {})} if _s(user) else {}
    followers = user.get("followers_count")
    return {k: v for k, v in {"id": _s(user.get("id_str")) or _s(user.get("id")),
                              "followers": followers if isinstance(followers, int) else None}.items() if v is not None}


def _x(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    rep = _s(ctx.get("for_user_id"))
    if rep is None:
        raise Unmappable(f"x {kind}: the delivery has no for_user_id (the subscribed account)")
    time = _epoch(ev.get("timestamp_ms"), 1000) or _twitter(ev.get("created_at"))
    if kind == "tweet_create_events":
        author, reply_to = _who(ev.get("user")), _s(ev.get("in_reply_to_user_id_str"))
        shared = ev.get("retweeted_status") or ev.get("quoted_status")
        original = _who(_get(shared, "user"))
        if author.get("id") == rep:
            verb = "content.shared" if shared else "post.published"
            verb = "message.replied" if reply_to and reply_to != rep else verb
            other = {"id": reply_to} if verb == "message.replied" else original
            return _one(rid, "x", verb, time, rep, counterpart=other, reach=author.get("followers"))
        verb = ("content.amplified" if shared and original.get("id") == rep
                else "message.replied" if reply_to == rep else "engagement.received")
        return _one(rid, "x", verb, time, rep, counterpart=author)
    if kind == "favorite_events":
        actor, author = _who(ev.get("user")), _who(_get(ev, "favorited_status", "user"))
        if actor.get("id") == rep:
            return _one(rid, "x", "reaction.given", time, rep, counterpart=author)
        if author.get("id") == rep:
            return _one(rid, "x", "engagement.received", time, rep, counterpart=actor)
    if kind == "follow_events" and ev.get("type") == "follow":
        source, target = _who(ev.get("source")), _who(ev.get("target"))
        time = _epoch(ev.get("created_timestamp"), 1000)
        if source.get("id") == rep:
            return _one(rid, "x", "connection.requested", time, rep, counterpart=target)
        if target.get("id") == rep:
            return _one(rid, "x", "follower.gained", time, rep, counterpart=source)
    if kind == "direct_message_events" and ev.get("type") == "message_create":
        sender = _s(_get(ev, "message_create", "sender_id"))
        recipient = _s(_get(ev, "message_create", "target", "recipient_id"))
        if rep in (sender, recipient):
            verb, other = ("message.sent", recipient) if sender == rep else ("message.replied", sender)
            time = _epoch(ev.get("created_timestamp"), 1000)
            return _one(rid, "x", verb, time, rep, counterpart=_who(other, ctx.get("users")))
    raise Unmappable(f"x {kind[:60]} {str(ev.get('type') or '')[:40]} event is not a scored activity for {rep}")


FEED_POSTS = {"post", "status", "photo", "video", "share"}


def _meta(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    obj, account = ctx.get("object"), _s(ctx.get("entry_id"))
    if account is None:
        raise Unmappable(f"meta {kind}: the entry has no id (the page or Instagram account)")
    source = {"page": "facebook", "instagram": "instagram"}.get(obj)  # type: ignore[arg-type]
    fld, value = kind.partition(".")[2], ev.get("value") if isinstance(ev.get("value"), dict) else {}
    actor = _s(_get(value, "from", "id"))
    own, other = actor == account, {"id": actor} if actor else None
    time = _epoch(value.get("created_time"), 1) or _epoch(ctx.get("entry_time"), 1)
    if source and fld == "messaging" and isinstance(ev.get("message"), dict):
        sender, recipient = _s(_get(ev, "sender", "id")), _s(_get(ev, "recipient", "id"))
        verb, peer = ("message.sent", recipient) if sender == account else ("message.replied", sender)
        return _one(rid, source, verb, _epoch(ev.get("timestamp"), 1000) or time, account,
                    counterpart={"id": peer} if peer else None)
    if obj == "page" and fld == "feed" and value.get("verb") == "add":
        item = value.get("item")
        if item in FEED_POSTS:
            verb = ("video.published" if item == "video" else "post.published") if own else "engagement.received"
        elif item in ("comment", "reaction", "like"):
            verb = ("comment.posted" if item == "comment" else "reaction.given") if own else "engagement.received"
        else:
            raise Unmappable(f"facebook feed item {str(item)[:40]!r} is not a scored activity")
        return _one(rid, source or "facebook", verb, time, account, counterpart=None if own else other)
    if obj == "instagram" and fld in ("comments", "live_comments", "mentions"):
        verb = "comment.posted" if own and fld != "mentions" else "engagement.received"
        return _one(rid, "instagram", verb, time, account, counterpart=None if own else other)
    what = f"{_s(value.get('item')) or ''} {_s(value.get('verb')) or ''}".strip()
    raise Unmappable(f"meta {kind[:60]} {what[:60]} is not a scored activity")


LINKEDIN_ACTIONS = {"LIKE": "engagement.received", "COMMENT": "engagement.received", "SHARE": "content.amplified",
                    "SHARE_MENTION": "engagement.received", "ADMIN_COMMENT": "comment.posted"}


def _linkedin(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    if kind == "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS" and ev.get("action") in LINKEDIN_ACTIONS:
        return _one(rid, "linkedin", LINKEDIN_ACTIONS[ev["action"]], _epoch(ev.get("lastModifiedAt"), 1000),
                    ev.get("organizationalEntity"), post=_s(ev.get("sourcePost")),
                    activity=_s(ev.get("generatedActivity")))
    if kind == "LEAD_ACTION" and ev.get("leadAction") == "CREATED":
        owners = ev.get("owner") if isinstance(ev.get("owner"), dict) else {}
        owner = next((v for v in owners.values() if _s(v)), None)
        time = _epoch(ev.get("occurredAt", ev.get("occuredAt")), 1000)
        return _one(rid, "linkedin", "lead.saved", time, owner, form=_s(ev.get("leadGenForm")))
    what = _s(ev.get("action")) or _s(ev.get("leadAction")) or ""
    raise Unmappable(f"linkedin {kind[:60]} {what[:40]} is not a scored activity")


HUBSPOT_CREATED = {"contact.creation": "lead.saved", "deal.creation": "opportunity.created",
                   "meeting.creation": "meeting.booked", "call.creation": "call.completed",
                   "object.creation:0-47": "meeting.booked", "object.creation:0-48": "call.completed"}


def _hubspot(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    prop, value = _s(ev.get("propertyName")), _s(ev.get("propertyValue"))
    verb = HUBSPOT_CREATED.get(kind) or HUBSPOT_CREATED.get(f"{kind}:{ev.get('objectTypeId')}")
    if kind == "deal.propertyChange" and prop == "dealstage":
        verb = {"closedwon": "deal.won", "closedlost": "deal.lost"}.get(value or "")
    elif kind.endswith("propertyChange") and prop == "hs_email_direction" and value == "INCOMING_EMAIL":
        verb = "email.replied"
    if verb is None:
        raise Unmappable(f"hubspot {kind[:60]} {prop or ''}={(value or '')[:40]} is not a scored activity")
    return _one(rid, "hubspot", verb, _epoch(ev.get("occurredAt"), 1000), _s(ev.get("portalId")),
                object_id=_s(ev.get("objectId")), object_type=kind.partition(".")[0])


def _salesforce(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    f = _get(ev, "sObject", "fields")
    f = f if isinstance(f, dict) else {}
    typ, flag = _get(ev, "sObject", "type"), lambda name: str(f.get(name)).lower() == "true"
    created, modified = _iso(f.get("CreatedDate")), _iso(f.get("LastModifiedDate"))
    if typ == "Opportunity":
        stage = str(f.get("StageName") or "").lower()
        closed = flag("IsClosed") if f.get("IsClosed") is not None else stage.startswith("closed")
        won = flag("IsWon") if f.get("IsWon") is not None else stage == "closed won"
        verb = ("deal.won" if won else "deal.lost") if closed else "opportunity.created"
        time = (modified or _iso(f.get("CloseDate"))) if closed else created
        amount = f.get("Amount")
        try:
            data = {"amount": float(amount)} if amount not in (None, "") else {}
        except ValueError:
            data = {}
        return _one(f"{f.get('Id') or rid}:{verb}", "salesforce", verb, time, f.get("OwnerId"), **data,
                    stage=f.get("StageName"))
    if typ == "Task" and "call" in (str(f.get("TaskSubtype")).lower(), str(f.get("Type")).lower()) and (
            f.get("Status") == "Completed" or flag("IsClosed")):
        time = _iso(f.get("CompletedDateTime")) or modified or _iso(f.get("ActivityDate"))
        return _one(f"{f.get('Id') or rid}:call.completed", "salesforce", "call.completed", time, f.get("OwnerId"))
    if typ in ("Event", "Lead"):
        verb = "meeting.booked" if typ == "Event" else "lead.saved"
        return _one(f"{f.get('Id') or rid}:{verb}", "salesforce", verb, created or modified, f.get("OwnerId"),
                    start=f.get("StartDateTime"))
    raise Unmappable(f"salesforce {str(typ)[:60]} notification is not a scored activity (or not in a scored state)")


def _standard(rid: str, kind: str, ev: dict, ctx: dict) -> list[Normalized]:
    try:
        ce = CloudEvent.model_validate(ev)
    except ValidationError as exc:
        where = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()[:5])
        raise Unmappable(f"the Standard Webhooks body is not a valid CloudEvent 1.0 ({where})") from None
    return [Normalized(ce.id, ce.source, ce.type, ce.time, ce.subject, dict(ce.data or {}))]


MAPPERS: dict[str, Callable[[str, str, dict, dict], list[Normalized]]] = {
    "x": _x, "meta": _meta, "linkedin": _linkedin, "hubspot": _hubspot, "salesforce": _salesforce,
    "standard": _standard,
}
if set(MAPPERS) != set(PROVIDERS):  # every sender the ingest accepts can be normalised, and no other
    raise ImportError(f"normalisers {sorted(MAPPERS)} do not match the providers {sorted(PROVIDERS)}")


def normalize(provider: str, raw: dict) -> list[Normalized]:
    """Map one raw provider event to activities, or raise ``Unmappable`` (never drops silently)."""
    mapper = MAPPERS.get(provider)
    if mapper is None:
        raise Unmappable(f"unknown provider {str(provider)[:40]!r}")
    event, context = _get(raw, "event"), _get(raw, "context")
    if not isinstance(event, dict):
        raise Unmappable(f"{provider}: the raw record has no event object")
    try:
        return mapper(_s(_get(raw, "id")) or "", _s(_get(raw, "kind")) or "", event,
                      context if isinstance(context, dict) else {})
    except Unmappable:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # defensive: odd shapes
        raise Unmappable(f"{provider}: the event has an unexpected shape ({type(exc).__name__})") from None
