"""Run a FastAPI service with uvicorn: the same logging and server options for every HTTP service.

uvloop and httptools (``uvicorn[standard]``), JSON log lines (shared.logs), no access log, and ``workers`` processes. With more than one,
uvicorn's supervisor spawns the workers, each building its own app from ``factory`` (an import string such
as ``services.ingest.app:app_from_env``, so each worker has its own Kafka producer, database pool and caches)
and all accepting on the one socket. Their Prometheus metrics go through files in a directory made here
(PROMETHEUS_MULTIPROC_DIR, set before the workers start and import prometheus_client), so /metrics, whichever
worker answers it, reports the sum over every worker (shared.http.observability.render_metrics).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import uvicorn

from shared import logs

SERVER_OPTIONS = {"loop": "uvloop", "http": "httptools", "log_level": "warning", "access_log": False}
"""What every HTTP service runs with; the bench serves its bare handler with the same."""


def serve(factory: str, *, host: str, port: int, log_level: str, workers: int = 1) -> None:
    logs.configure(log_level)
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="ssi-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # inherited by the spawned workers
    try:
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers,  # type: ignore[arg-type]
                    log_config=logs.uvicorn_log_config(log_level), **SERVER_OPTIONS)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def workers_from_env(variable: str, default: int = 1) -> int:
    """The number of worker processes from ``variable`` (SSI_INGEST_WORKERS, SSI_API_WORKERS): 1 to 64."""
    raw = os.environ.get(variable, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise SystemExit(f"{variable} must be a whole number of worker processes from 1 to 64, not {raw!r}")
    return int(raw)
