"""Builders of test data shared by unit and integration tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

BATCH = "application/cloudevents-batch+json"
SINGLE = "application/cloudevents+json"


def cloud_event(
    subject: str,
    type_: str = "post.published",
    *,
    source: str = "linkedin",
    time: datetime | None = None,
    id_: str | None = None,
    **data: Any,
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": id_ or str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "subject": subject,
        "time": (time or datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "datacontenttype": "application/json",
        "data": data or {},
    }


def bearer(key: str, content_type: str = BATCH) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": content_type}
