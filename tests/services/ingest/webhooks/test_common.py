"""Shared helpers and error types of the webhook layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.webhooks import (BadHandshake, BadSignature, Inbound, MalformedPayload, RawEvent, StaleTimestamp,
                                      UnsupportedMediaType, WebhookError)
from services.ingest.webhooks.common import check_window, equal, header, load_json, require_header, require_media_type

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def inbound(headers: dict[str, str], body: bytes = b"{}") -> Inbound:
    return Inbound("POST", "https://h/", headers, {}, body)


def test_error_statuses() -> None:
    assert [e("r").status for e in (BadSignature, StaleTimestamp, BadHandshake, MalformedPayload,
                                     UnsupportedMediaType)] == [401, 401, 403, 400, 415]
    assert all(issubclass(e, WebhookError) for e in (BadSignature, StaleTimestamp, BadHandshake, MalformedPayload))
    err = BadHandshake("nope", status=401)
    assert (err.status, err.reason, str(err)) == (401, "nope", "nope")


def test_headers_are_case_insensitive() -> None:
    req = inbound({"X-Hub-Signature-256": "a", "content-TYPE": "b"})
    assert header(req, "x-hub-signature-256") == "a" and header(req, "Content-Type") == "b"
    assert header(req, "missing") is None
    with pytest.raises(BadSignature, match="X-Missing"):
        require_header(req, "X-Missing")
    with pytest.raises(BadSignature):
        require_header(inbound({"X-Empty": "  "}), "X-Empty")


def test_equal_is_safe_for_any_text() -> None:
    assert equal("abc", "abc") and not equal("abc", "abd") and not equal("é", "e") and equal(b"x", "x")


def test_window() -> None:
    check_window(NOW - timedelta(seconds=300), NOW, past=timedelta(minutes=5), future=None)
    check_window(NOW + timedelta(days=9), NOW, past=timedelta(minutes=5), future=None)
    with pytest.raises(StaleTimestamp):
        check_window(NOW - timedelta(seconds=301), NOW, past=timedelta(minutes=5), future=None)
    with pytest.raises(StaleTimestamp):
        check_window(NOW + timedelta(seconds=301), NOW, past=timedelta(minutes=5), future=timedelta(minutes=5))


def test_media_type() -> None:
    require_media_type(inbound({}), ("application/json",))
    require_media_type(inbound({"Content-Type": "application/json; charset=utf-8"}), ("application/json",))
    require_media_type(inbound({"Content-Type": "application/cloudevents+json"}), ("application/json",))
    with pytest.raises(UnsupportedMediaType):
        require_media_type(inbound({"Content-Type": "text/plain"}), ("application/json",))


def test_load_json_only_malformed_payload() -> None:
    assert load_json(b'{"a":1}') == {"a": 1}
    for body in (b"", b"\xff", b"[" * 2000, b"1e999", b'{"a":'):
        with pytest.raises(MalformedPayload):
            load_json(body)


def test_raw_event_dict() -> None:
    raw = RawEvent("x", "id1", "favorite_events", {"id": "1"}, {"for_user_id": "2"})
    assert raw.as_dict() == {"id": "id1", "kind": "favorite_events", "event": {"id": "1"},
                             "context": {"for_user_id": "2"}}
