"""The sink's error policy (services/scorer/sink/__main__.py): what Postgres refuses for a record's content is
told apart from what is transient, and transient failures are retried a bounded number of times."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from services.scorer.sink.__main__ import GaveUp, refusal, refused_for_content, write_with_retry
from services.scorer.sink.config import SinkSettings
from shared import topics
from shared.db.engine import make_engine


class Wrapped(Exception):
    """Stands for SQLAlchemy's DBAPIError: the driver's error as ``orig``."""

    def __init__(self, orig: BaseException) -> None:
        super().__init__("wrapped")
        self.orig = orig


def test_content_refusals_are_told_apart_from_transient_errors() -> None:
    nul = asyncpg.exceptions.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')
    assert nul.sqlstate == "22021"
    assert refused_for_content(Wrapped(nul))
    assert refusal(Wrapped(nul)) == 'CharacterNotInRepertoireError: invalid byte sequence for encoding "UTF8": 0x00'
    assert refused_for_content(Wrapped(asyncpg.exceptions.NotNullViolationError("null value")))
    for transient in (
        asyncpg.exceptions.DeadlockDetectedError("deadlock"),  # 40P01: try again
        asyncpg.exceptions.AdminShutdownError("terminating connection"),  # 57P01
        asyncpg.exceptions.UndefinedTableError("relation does not exist"),  # 42P01: a schema problem, not a row's
        ConnectionRefusedError(111, "refused"),
        OSError("network unreachable"),
    ):
        assert not refused_for_content(Wrapped(transient)), transient


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_transient_failure_gives_up_after_max_attempts() -> None:
    """Postgres unreachable (a closed port): the batch is tried ``max_attempts`` times with backoff, then GaveUp
    makes the process exit to be restarted; offsets were not committed, so nothing is lost."""
    assert SinkSettings(**{"SSI_ENV": "test"}).max_attempts == 30  # bounded by default
    url = f"postgresql+asyncpg://ssi@127.0.0.1:{_closed_port()}/ssi"
    settings = SinkSettings(**{"SSI_ENV": "test", "SSI_DATABASE_URL": url}, max_attempts=3)
    engine = make_engine(url, application_name="test-sink-gives-up", pool_size=1)
    value = (b'{"tenant_id": "%s", "platform": "x", "identity": "a", "parked": 0}' % str(uuid.uuid4()).encode())
    record = ConsumerRecord(topics.IDENTITY_STATUS, 0, 7, 0, 0, b"k", value, None, 1, len(value), ())
    started = time.monotonic()
    try:
        with pytest.raises(GaveUp, match="failed 3 times"):
            await write_with_retry(settings, engine, None, [record], asyncio.Event())
    finally:
        await engine.dispose()
    assert time.monotonic() - started >= 1.5  # backoff of 0.5 s then 1 s between the three attempts
