"""A webhook delivery whose event is larger than a Kafka record may be (1 MiB with its envelope) but within the
webhook body limit (5 MiB): 413 naming Kafka's limit, as POST /v1/events answers, not a 503 the sender would
retry for ever. Nothing is written."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import orjson
from svix.webhooks import Webhook

from tests.factories import cloud_event

KAFKA_RECORD_LIMIT = 1_048_576
SECRET = "whsec_" + base64.b64encode(b"record-limit-secret-of-32-bytes!").decode()


def _signed(body: bytes) -> dict[str, str]:
    msg_id, stamp = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(msg_id, stamp, body.decode()), "content-type": "application/json"}


async def test_an_event_larger_than_a_kafka_record_is_413_naming_the_limit(stack, ingest, tenant) -> None:  # type: ignore[no-untyped-def]
    url = json.loads(stack.cli("webhook", "add", tenant["tenant_id"], "standard", "--secret", SECRET, "--json"))["url"]
    big = orjson.dumps(cloud_event("big-rep", blob="x" * (KAFKA_RECORD_LIMIT + 50_000)))
    assert KAFKA_RECORD_LIMIT < len(big) < 5 * 1_048_576  # within the webhook body limit
    response = await ingest.post(url, content=big, headers=_signed(big))
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["limit_bytes"] == KAFKA_RECORD_LIMIT and str(KAFKA_RECORD_LIMIT) in problem["detail"]
    assert response.headers["x-request-id"]
    fits = orjson.dumps(cloud_event("big-rep", blob="x" * 100_000))
    assert (await ingest.post(url, content=fits, headers=_signed(fits))).status_code == 200
