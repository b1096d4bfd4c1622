"""Structured logs: one JSON object per line, the same for every process, never a secret.

Every line has ``ts`` (UTC, ISO 8601), ``level``, ``logger`` and ``msg``; a line about an event or a request
also has the fields passed in ``extra`` among CONTEXT (``tenant``, ``rep``, ``event_id``, ``request_id``, ...),
so ``jq 'select(.request_id == "...")'`` follows one request through every service's log (deploy/RUNBOOK.md).

Secrets are kept out twice: the code never logs a key, a secret or a password, and the formatter redacts
what looks like one anyway (an API key, a bearer token, a password in a URL) from the message and from a
traceback, should a library or an exception's text carry it.

The event trail: each service logs one line per event it handles (accepted, scored, written) on a logger
under ``ssi.trail`` at DEBUG. That is too much for a busy production process, so it is off unless
SSI_LOG_TRAIL=1 (``make run`` turns it on); dead letters and errors are logged with the same fields always.
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

CONTEXT = ("tenant", "rep", "event_id", "request_id", "source", "type", "verdict", "origin", "reason", "events",
           "status", "partition", "offset")
"""Fields taken from a record's ``extra`` into its JSON line (anything else passed there is left out)."""

REQUEST_ID: ContextVar[str | None] = ContextVar("ssi_request_id", default=None)
"""The id of the HTTP request being served (set by shared.http.request_id.RequestId): a line logged while a
request is served carries it even when the call site passes no ``extra``."""

TRAIL = "ssi.trail"
"""The parent logger of every per-event line (off unless SSI_LOG_TRAIL=1)."""

REDACTIONS = (
    (re.compile(r"ssi_[A-Za-z0-9_-]{43}"), "ssi_[redacted]"),  # an API key (shared.db.api_keys)
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"(?i)\b(whsec_)[A-Za-z0-9+/=_-]+"), r"\1[redacted]"),  # a Standard Webhooks secret
    (re.compile(r"://([^:/@\s]+):[^@/\s]+@"), r"://\1:[redacted]@"),  # a password in a URL
    (re.compile(r"(?i)\b(password|passwd|secret|api_key|token)=([^\s&,;]+)"), r"\1=[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for name in CONTEXT:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = redact(value) if isinstance(value, str) else value
        if "request_id" not in line and (current := REQUEST_ID.get()) is not None:
            line["request_id"] = current
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


def trail_enabled() -> bool:
    return os.environ.get("SSI_LOG_TRAIL", "").strip().lower() in ("1", "true", "yes", "on")


def dict_config(level: str, *, root_level: str | None = None) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for JSON lines on stderr: the project's loggers (``ssi.*``) at ``level``,
    everything else (libraries) at ``root_level`` (default: the same), the trail at DEBUG when it is on."""
    loggers: dict[str, Any] = {"ssi": {"level": level.upper()}}
    if trail_enabled():
        loggers[TRAIL] = {"level": "DEBUG"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": (root_level or level).upper()},
        "loggers": loggers,
    }


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process (replacing any handler configured before); an uncaught
    exception is logged as one too (logger ``ssi.crash``) instead of a bare traceback."""
    logging.config.dictConfig(dict_config(level))
    sys.excepthook = _log_uncaught


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    logging.getLogger("ssi.crash").critical("uncaught %s: %s", kind.__name__, exc, exc_info=(kind, exc, tb))


def reclaim_root_logger(level: str = "WARNING") -> None:
    """Undo what Faust's worker does to the root logger at start-up (a spinner handler, the first handler's level
    set to the worker's --loglevel, the root's to DEBUG): JSON lines at every level the loggers let through,
    libraries at ``level``. Called by the scorer once its worker has started (services.scorer.app)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonFormatter):
            handler.setLevel(logging.NOTSET)
        else:
            root.removeHandler(handler)
    root.setLevel(level)


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's ``log_config``: every worker process it spawns logs JSON lines too (uvicorn applies it in each
    worker); its access log stays off (shared.http.serve)."""
    config = dict_config(level)
    config["loggers"].update({"uvicorn": {"level": level.upper()}, "uvicorn.access": {"level": "WARNING"}})
    return config
