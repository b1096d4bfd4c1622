"""The sink's decoding of the outcomes topic: a valid record is kept, anything else is poison with a reason."""

from types import SimpleNamespace

import orjson

from services.scorer.sink.records import decode_batch
from shared import topics
from shared.outcomes import encode

TENANT = "7d0c6a4e-3f4b-4a8e-9b1a-2f7f6c1d9e01"


def record(value: bytes) -> SimpleNamespace:
    return SimpleNamespace(topic=topics.OUTCOMES, value=value, key=b"k", partition=0, offset=1)


def test_outcome_and_mention_records_decode() -> None:
    won = encode(TENANT, "r", "salesforce", "e1", "deal.won", "2026-11-01T10:00:00+00:00", {"amount": 3.0, "currency": None})
    said = encode(TENANT, "r", "x", "e2", "mention.received", "2026-11-01T10:00:00+00:00",
                  {"brand": "Acme", "reach": 10.0, "sentiment": None})
    decoded = decode_batch([record(won), record(said)])
    assert not decoded.poison and [e.type for _, e in decoded.stored] == ["deal.won", "mention.received"]
    assert decoded.tenant_ids() == {TENANT}


def test_incomplete_or_foreign_records_are_poison() -> None:
    base = {"tenant_id": TENANT, "rep_id": "r", "source": "s", "id": "e", "time": "2026-11-01T10:00:00+00:00"}
    bad = [
        {**base, "type": "deal.won"},  # no amount
        {**base, "type": "quota.set", "amount": 4.0},  # no period
        {**base, "type": "mention.received", "brand": "Acme"},  # no reach
        {**base, "type": "post.published"},
        {**base, "tenant_id": "not-a-uuid", "type": "deal.lost"},
    ]
    decoded = decode_batch([record(orjson.dumps(v)) for v in bad] + [record(b"{")])
    assert not decoded.stored and len(decoded.poison) == 6
    assert all(reason.startswith(f"undecodable {topics.OUTCOMES} record") for _, reason in decoded.poison)
