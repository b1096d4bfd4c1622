"""Faust's consumer, handing the activity topic to one coroutine per fetched batch instead of one per record.

Why: Faust delivers each record through a chain of per-record awaits that spawn tasks (the consumer's
``wait_first`` around the callback, the channel queue, the stream's own ``wait_first``). On this machine
that path alone tops out near 10-13k records/s with an agent that does nothing, where a raw aiokafka
consumer reads the same topic at about 220k records/s (README, "Performance"). The scorer needs most of its
time for scoring.

What stays Faust's: group membership and partition assignment, table recovery and changelogs, pausing
partitions while tables recover, flow control during rebalances, gap tracking, ack bookkeeping and the
commit (which flushes the producer first). What changes: records of a topic registered in
``BatchingTransport.batch_handlers`` are tracked as pending, collected for the whole fetch, handed to the
handler in one call, and acked when it returns, or, when it returns the future of its writes, once that
succeeded. Records of every other topic take Faust's usual path. So an offset is committed only after the
handler returned and what it wrote is acknowledged by the broker (at-least-once), and a handler that raises
crashes the worker before anything of its batch is acked.

Order, strictly: the scorer's replay guard takes a record at or below a rep's last applied offset for a
replay, so a record handed over ahead of an earlier one would make the earlier one look like a replay and
it would never count. Faust can fetch records before its recovery has sought the partitions to their
committed offsets (seen here: a restarted worker got offsets 8528.. of a partition whose commit was 8167).
So a batched record is handed over only once the current generation's seek is done, and only at the next
offset of its partition: earlier ones are dropped as already read; a later one (a gap) makes the consumer
seek back to the next offset and wait for it, unless the partition's log now starts after it (the records
were deleted by retention): that gap is real and is crossed, with a warning. Nothing writes the activity
topic in transactions, so it has no other gaps.

The same order guard protects the topics the worker reads with Faust streams (webhook events, normalised
events, identity claims; registered with ``ordered``): without it a record fetched ahead of the seek was
delivered, and Faust took the offsets between the commit and it for a gap, acknowledged them unread and
committed past them: webhook events were lost after a kill -9 (tests/faults). On a compacted topic
(``compacted=True``) offsets do go missing: when the seek back brings the same later record first again, the
offsets between are gone and it is taken.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import Message
from mode import Service

log = logging.getLogger("ssi.scorer")

BatchHandler = Callable[[list[Message]], Awaitable["asyncio.Future[Any] | None"]]
"""Called with one fetch's records of its topic; returns None (ack them now) or the future of what it wrote
(ack them when it succeeds; when it fails they stay unacked, so no commit passes them)."""


def acker(ack: Callable[[Message], Any], messages: list[Message]) -> Callable[[asyncio.Future[Any]], None]:
    """The done-callback that acks ``messages`` once their batch's writes succeeded."""

    def done(written: asyncio.Future[Any]) -> None:
        if written.cancelled() or written.exception() is not None:
            return  # the writer stops the worker (services.scorer.outbox); the records are read again
        for message in messages:
            ack(message)

    return done


class BatchingConsumer(faust_aiokafka.Consumer):
    _next_offset: dict[Any, int | None]
    """Per partition of a batched topic: the offset the next handed-over record must have (None: any)."""
    _sought_generation: int | None = None
    _sought_back: dict[Any, tuple[int, int]]
    """Per partition: (next offset, the later offset that came instead) of the last seek back over a gap."""
    _queued_from: dict[Any, int]
    """Per partition of a stream topic: the first offset handed to Faust's stream queues since they were last
    cleared (Faust clears them at every resume of its flow control)."""

    async def perform_seek(self) -> None:
        """Faust seeks every partition to its committed offset at the end of each recovery. Records that
        arrive while that seek is under way are skipped (the flag is not set yet), so once the flag is set the
        batched partitions are sought again, to the committed offset or, without one, to the log's start
        (the group's auto_offset_reset): whatever was skipped is fetched again, in order.

        Faust then resumes its flow control, which clears every stream's queue (``_on_flow_resumed``)."""
        self._watch_flow_control()
        await super().perform_seek()
        batched = [tp for tp in self.assignment() if self._guarded(tp.topic)]
        starts = dict(self._read_offset)
        missing = [tp for tp in batched if starts.get(tp) is None]
        if missing:
            starts.update(await self.earliest_offsets(*missing))
        self._next_offset = {tp: starts.get(tp) for tp in batched}
        self._sought_back = {}
        self._queued_from = {}
        self._sought_generation = self.app.consumer_generation_id
        for tp, offset in list(self._next_offset.items()):
            if offset is not None:
                await self.seek(tp, offset)

    def _watch_flow_control(self) -> None:
        """Call ``_on_flow_resumed`` after each resume of Faust's flow control (once per app)."""
        flow_control = self.app.flow_control
        if getattr(flow_control, "_ssi_watched", False):
            return
        resume = flow_control.resume

        def resume_and_reopen() -> None:
            resume()
            self._on_flow_resumed()

        flow_control.resume = resume_and_reopen
        flow_control._ssi_watched = True

    def _on_flow_resumed(self) -> None:
        """Faust's flow control was resumed, which clears every stream's queue: records handed over and still
        queued are dropped unprocessed, unacknowledged. Faust resumes it right after each seek to the committed
        offsets, and the seek (on the consumer's thread) lets records through meanwhile; their partition's next
        offset was already past them, so they were never read again, and Faust's commit passes one missing
        record at the head of a partition: webhook events were lost when a second worker joined and left
        (tests/faults). So what the queues held is read again: each stream partition's next offset goes back to
        the first one queued since the last clear, or to the committed offset when that is later (what lies
        below it was processed), and the partition is sought there."""
        queued, self._queued_from = getattr(self, "_queued_from", {}), {}
        for tp, first in queued.items():
            committed = self._committed_offset.get(tp)
            first = max(first, committed) if committed is not None else first
            expected = self._next_offset.get(tp)
            if expected is not None and first < expected:
                self._next_offset[tp] = first
                self._read_offset[tp] = first
                self._sought_back.pop(tp, None)
                log.info("%s[%d]: records from offset %d were cleared from the stream queue; reading them again",
                         tp.topic, tp.partition, first)
                asyncio.ensure_future(self.seek(tp, first))

    async def _seek(self, partition: Any, offset: int) -> None:
        """aiokafka's seek, run in the consumer thread's event loop. Faust's driver calls it from this event
        loop, while the thread's fetcher may be inside ``fetched_records``: a seek back over a gap then raced it
        (KeyError in aiokafka's fetcher crashed a worker in one run of the suite). Scheduled on the thread's
        loop directly, not through its method queue, whose two workers can both be waiting on a rebalance."""
        thread = cast(Any, self)._thread
        consumer = thread._ensure_consumer()

        async def seek() -> None:
            consumer.seek(partition, offset)

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(seek(), thread.thread_loop))

    def _guarded(self, topic: str) -> bool:
        transport = cast(BatchingTransport, self.transport)
        return topic in transport.batch_handlers or topic in transport.ordered_topics

    def _admit(self, tp: Any, offset: int) -> str:
        """'take', 'skip' (already read, or fetched before the seek) or 'gap' (an earlier offset is missing)."""
        if self._sought_generation is None or self._sought_generation != self.app.consumer_generation_id:
            return "skip"
        expected = self._next_offset.get(tp)
        if expected is None or offset == expected:
            return "take"
        if offset < expected:
            return "skip"
        return "gap"

    async def _after_gap(self, tp: Any, offset: int) -> bool:
        """A record beyond the next offset: True to take it (the missing ones were deleted by retention),
        False after seeking back to the next offset (they were fetched ahead of the seek)."""
        expected = cast(int, self._next_offset[tp])
        earliest = (await self.earliest_offsets(tp)).get(tp)
        if earliest is not None and earliest > expected and offset == earliest:
            self.log.warning("crossing a gap in %r: offsets %d-%d were deleted by retention", tp, expected, offset - 1)
            return True
        compacted = cast(BatchingTransport, self.transport).ordered_topics.get(tp.topic, False)
        if compacted and self._sought_back.get(tp) == (expected, offset):
            self.log.info("crossing a gap in %r: offsets %d-%d were compacted away", tp, expected, offset - 1)
            return True
        self.log.warning("%r: offset %d came before %d; seeking back to it", tp, offset, expected)
        self._sought_back[tp] = (expected, offset)
        await self.seek(tp, expected)
        return False

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover - exercised end to end
        # Faust's own loop (faust/transport/consumer.py), with the batched topics set aside per fetch.
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        handlers: dict[str, BatchHandler] = cast(BatchingTransport, self.transport).batch_handlers
        ordered: dict[str, bool] = cast(BatchingTransport, self.transport).ordered_topics
        track = self.track_message
        ack = self.ack
        wait_until_producer_ebb = self.app.producer.buffer.wait_until_ebb
        num_since_yield = 0
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(CONSUMER_FETCHING)
                ait = getmany(timeout=1.0)
                await self.sleep(0)
                if self.should_stop:
                    continue
                batches: dict[str, list[Message]] = {}
                held: set[Any] = set()  # partitions waiting for a seek back over a gap
                async for tp, message in ait:
                    offset = message.offset
                    if message.topic in handlers or message.topic in ordered:
                        if tp in held:
                            continue
                        verdict = self._admit(tp, offset)
                        if verdict == "skip":
                            continue
                        if verdict == "gap" and not await self._after_gap(tp, offset):
                            held.add(tp)
                            continue
                        self._next_offset[tp] = offset + 1
                        if message.topic in ordered:
                            self._queued_from.setdefault(tp, offset)
                    r_offset = get_read_offset(tp)
                    if r_offset is not None and offset < r_offset and message.topic not in handlers \
                            and message.topic not in ordered:  # the guard decides for its topics
                        continue  # already read (Faust drops these the same way)
                    gap = offset - (r_offset or 0)
                    if gap > 1 and r_offset and acks_enabled_for(message.topic):
                        await self._add_gap(tp, r_offset + 1, offset)
                    if commit_every is not None and self._n_acked >= commit_every:
                        self._n_acked = 0
                        await self.commit()
                    batch = batches.get(message.topic)
                    if batch is None and message.topic in handlers:
                        batch = batches[message.topic] = []
                    if batch is not None:
                        track(message)
                        batch.append(message)
                    else:
                        num_since_yield += 1
                        if num_since_yield > 100:
                            await asyncio.sleep(0)
                            num_since_yield = 0
                        await self.wait_first(callback(message), self.suspend_flow.wait())
                    set_read_offset(tp, offset)
                for topic, messages in batches.items():
                    await wait_until_producer_ebb()  # back-pressure: the producer buffer drains first
                    written = await handlers[topic](messages)
                    if written is None:
                        for message in messages:
                            ack(message)
                    else:  # acked once the broker has what the batch wrote (services.scorer.outbox)
                        written.add_done_callback(acker(ack, messages))
                unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(CONSUMER_FETCHING)


class BatchingTransport(faust_aiokafka.Transport):
    Consumer = BatchingConsumer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_handlers: dict[str, BatchHandler] = {}
        self.ordered_topics: dict[str, bool] = {}
        """Topics read by Faust streams that get the same order guard; True for a compacted topic."""


def install(app: Any) -> BatchingTransport:
    """Give ``app`` the batching transport (before its consumer exists) and return it."""
    transport = BatchingTransport(app.conf.broker_consumer, app)
    app.transport = transport
    return transport


def batch(app: Any, topic: Any, handler: BatchHandler) -> None:
    """Subscribe ``topic`` (acks on, so commits follow the handler) and route its records to ``handler``."""
    transport = app.transport
    if not isinstance(transport, BatchingTransport):
        raise TypeError("call services.scorer.batch_consumer.install(app) first")
    app.topics.add(topic)
    for name in topic.topics:
        transport.batch_handlers[name] = handler


def ordered(app: Any, topic: Any, *, compacted: bool = False) -> None:
    """Give the Faust stream over ``topic`` the batches' order guard: records strictly in offset order from the
    committed offset, never one fetched ahead of the seek (see the module docstring)."""
    transport = app.transport
    if not isinstance(transport, BatchingTransport):
        raise TypeError("call services.scorer.batch_consumer.install(app) first")
    for name in topic.topics:
        transport.ordered_topics[name] = compacted
