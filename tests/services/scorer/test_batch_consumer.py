"""The batch consumer's deferred ack (services.scorer.batch_consumer.acker): a batch's records are acked only when
the future of what the handler wrote succeeded; a failed or cancelled write leaves them unacked, so no commit
passes them."""

from __future__ import annotations

import asyncio

from services.scorer.batch_consumer import acker


async def test_records_are_acked_only_once_their_writes_succeeded() -> None:
    loop = asyncio.get_running_loop()
    acked: list[str] = []
    written = loop.create_future()
    written.add_done_callback(acker(acked.append, ["a", "b"]))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert acked == []  # not before the broker has the writes
    written.set_result([None])
    await asyncio.sleep(0)
    assert acked == ["a", "b"]


async def test_a_failed_or_cancelled_write_acks_nothing() -> None:
    loop = asyncio.get_running_loop()
    acked: list[str] = []
    failed, cancelled = loop.create_future(), loop.create_future()
    failed.add_done_callback(acker(acked.append, ["a"]))  # type: ignore[arg-type]
    cancelled.add_done_callback(acker(acked.append, ["b"]))  # type: ignore[arg-type]
    failed.set_exception(RuntimeError("the broker refused the batch"))
    cancelled.cancel()
    await asyncio.sleep(0)
    assert acked == []
    failed.exception()  # retrieved: no "exception never retrieved" warning
