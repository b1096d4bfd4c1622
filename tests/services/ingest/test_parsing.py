from datetime import UTC, datetime, timedelta

import orjson
import pytest

from services.ingest.parsing import BATCH, PLAIN, SINGLE, parse_events
from shared.http.problems import Problem
from tests.factories import cloud_event

NOW = datetime.now(UTC)


def parse(body: object, content_type: str = BATCH, max_batch: int = 10):  # type: ignore[no-untyped-def]
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return parse_events(raw, content_type, now=NOW, max_batch=max_batch)


def test_single_and_batch() -> None:
    assert len(parse(cloud_event("a"), SINGLE)) == 1
    assert len(parse([cloud_event("a"), cloud_event("b")], BATCH)) == 2
    assert len(parse([cloud_event("a")], PLAIN)) == 1
    assert len(parse(cloud_event("a"), f"{SINGLE}; charset=utf-8")) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "title"),
    [
        (b"{not json", SINGLE, 400, "Malformed JSON"),
        (b"[" * 5000 + b"]" * 5000, BATCH, 400, "Malformed JSON"),  # nesting beyond the parser's limit
        ([], BATCH, 400, "Invalid batch"),
        ({"a": 1}, BATCH, 400, "Invalid batch"),
        ([cloud_event("a")], SINGLE, 400, "Invalid event"),
        ([cloud_event("a")] * 11, BATCH, 413, "Batch too large"),
        (cloud_event("a"), "text/plain", 415, "Unsupported media type"),
        (cloud_event("a"), "", 415, "Unsupported media type"),
    ],
)
def test_bad_bodies_get_a_clear_problem(body: object, content_type: str, status: int, title: str) -> None:
    with pytest.raises(Problem) as info:
        parse(body, content_type)
    assert (info.value.status, info.value.title) == (status, title)


def test_every_invalid_event_is_named_by_its_index_and_field_and_nothing_is_accepted() -> None:
    good = cloud_event("a")
    bad_type = {**cloud_event("b"), "type": "NOPE"}
    future = cloud_event("c", time=NOW + timedelta(hours=1))
    with pytest.raises(Problem) as info:
        parse([good, bad_type, future])
    pointers = [e["pointer"] for e in info.value.errors or []]
    assert pointers == ["/1/type", "/2/time"]
    assert "2 of 3" in (info.value.detail or "")


def test_outcome_and_mention_data_is_checked_at_ingest_naming_the_field() -> None:
    good = [cloud_event("a", "deal.won", amount=10), cloud_event("a", "quota.set", amount=9, period="2026-10-01/2026-12-31"),
            cloud_event("a", "mention.received", brand="Acme", reach=10)]
    assert len(parse(good)) == 3
    with pytest.raises(Problem) as caught:
        parse([cloud_event("a"), cloud_event("a", "quota.set", amount=9, period="Q4"),
               cloud_event("a", "mention.received", reach=1)])
    assert caught.value.status == 400
    assert [e["pointer"] for e in caught.value.errors or []] == ["/1/data/period", "/2/data/brand"]
