"""JSON log lines: the fields, the redaction of anything secret-looking, the trail switch, a crash as a line."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from shared import logs

API_KEY = "ssi_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"


def line(message: str, *args: object, **extra: object) -> dict:
    record = logging.LogRecord("ssi.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return json.loads(logs.JsonFormatter().format(record))


def test_a_line_has_the_basics_and_only_the_known_context_fields() -> None:
    got = line("scored %d", 3, tenant="t-1", rep="r-1", event_id="e-1", request_id="req-1", password="x",
               anything="else")
    assert got["msg"] == "scored 3" and got["level"] == "WARNING" and got["logger"] == "ssi.test"
    assert got["ts"].endswith("+00:00")
    assert {k: got[k] for k in ("tenant", "rep", "event_id", "request_id")} == {
        "tenant": "t-1", "rep": "r-1", "event_id": "e-1", "request_id": "req-1"}
    assert "password" not in got and "anything" not in got


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"refused key {API_KEY}", API_KEY),
        ("Authorization: Bearer abc.DEF-123_456", "abc.DEF-123_456"),
        ("basic dXNlcjpwYXNz in a header", "dXNlcjpwYXNz"),
        ("endpoint secret whsec_c2VjcmV0LW9mLXRoZS1lbmRwb2ludA==", "c2VjcmV0LW9mLXRoZS1lbmRwb2ludA=="),
        ("postgresql+asyncpg://ssi:hunter2@db:5432/ssi", "hunter2"),
        ("retrying with password=hunter2&x=1", "hunter2"),
    ],
)
def test_secrets_are_redacted_from_messages_context_and_tracebacks(text: str, secret: str) -> None:
    assert secret not in json.dumps(line(text))
    assert secret not in json.dumps(line("%s", text))
    assert secret not in json.dumps(line("x", reason=text))
    try:
        raise RuntimeError(text)
    except RuntimeError:
        record = logging.LogRecord("ssi.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    formatted = logs.JsonFormatter().format(record)
    assert "RuntimeError" in formatted and secret not in formatted


def test_what_is_not_secret_is_left_as_it_is() -> None:
    text = "ssi_scorer_events_total rose; request trail-42 of tenant 7 at http://127.0.0.1:8001/v1/events"
    assert line(text)["msg"] == text


def test_the_trail_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSI_LOG_TRAIL", raising=False)
    assert logs.TRAIL not in logs.dict_config("INFO")["loggers"]
    monkeypatch.setenv("SSI_LOG_TRAIL", "1")
    assert logs.dict_config("INFO")["loggers"][logs.TRAIL] == {"level": "DEBUG"}
    config = logs.dict_config("INFO", root_level="WARNING")
    assert config["root"]["level"] == "WARNING" and config["loggers"]["ssi"] == {"level": "INFO"}


def test_configure_writes_json_lines_and_an_uncaught_exception_becomes_one(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook)
    try:
        logs.configure("INFO")
        logging.getLogger("ssi.x").info("hello", extra={"request_id": "r-9"})
        logging.getLogger("ssi.x").debug("not shown")
        try:
            raise ValueError(f"boom with {API_KEY}")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        root.handlers[:], sys.excepthook = saved[0], saved[2]
        root.setLevel(saved[1])
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert [(x["msg"], x.get("request_id")) for x in lines][0] == ("hello", "r-9")
    assert lines[1]["level"] == "CRITICAL" and lines[1]["logger"] == "ssi.crash"
    assert "ValueError" in lines[1]["exc"] and API_KEY not in stream.getvalue()
    assert len(lines) == 2


def test_reclaim_root_logger_undoes_a_spinner_and_a_handler_level() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        json_handler = logging.StreamHandler(io.StringIO())
        json_handler.setFormatter(logs.JsonFormatter())
        json_handler.setLevel(logging.WARNING)
        spinner = logging.StreamHandler(io.StringIO())
        root.handlers[:] = [json_handler, spinner]
        root.setLevel(logging.DEBUG)
        logs.reclaim_root_logger("WARNING")
        assert root.handlers == [json_handler] and json_handler.level == logging.NOTSET
        assert root.level == logging.WARNING
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
