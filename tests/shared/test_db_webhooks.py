"""Webhook endpoint ids (shared/db/webhooks.py)."""

from __future__ import annotations

from shared.db.webhooks import new_endpoint_id


def test_webhook_endpoint_ids_never_look_like_options() -> None:
    ids = [new_endpoint_id() for _ in range(3000)]  # about 47 of 3000 plain token_urlsafe ids start with '-'
    assert not any(i.startswith("-") for i in ids)
    assert len(set(ids)) == len(ids) and all(len(i) == 32 for i in ids)
