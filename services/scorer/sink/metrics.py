"""The sink's Prometheus metrics."""

from prometheus_client import Counter, Gauge, Histogram

SINK_ROWS = Counter("ssi_sink_rows_written_total", "Rows written to Postgres by the sink, by table.", ["table"])
SINK_RECORDS = Counter("ssi_sink_records_total", "Records consumed by the sink, by outcome.", ["outcome"])
SINK_BATCH_SECONDS = Histogram(
    "ssi_sink_batch_seconds",
    "Time to write one batch to Postgres (before its offsets are committed).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SINK_LAG = Gauge("ssi_sink_consumer_lag_records", "Records not yet written to Postgres, by partition.", ["partition"])
REFRESH_SECONDS = Histogram(
    "ssi_sink_decay_refresh_seconds",
    "Time to re-evaluate every stored score with decay (for ranks).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)
SINK_RETRIES = Counter("ssi_sink_retries_total", "Batches retried after a transient error (Postgres or Kafka).")
LEDGER_EXPIRED = Counter(
    "ssi_sink_ledger_rows_expired_total", "Ledger rows (scored_events) deleted for being older than the retention."
)
READ_MODEL_SECONDS = Histogram(
    "ssi_sink_read_model_seconds",
    "Time of one pass over the api's read models (ranks, team aggregates, explanations).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
READ_MODEL_PASSED = Gauge(
    "ssi_sink_read_model_pass_timestamp_seconds",
    "Start (Unix seconds) of the last read-model pass that completed: ranks and team aggregates count every change "
    "stored before it.",
)
EXPLANATIONS = Counter("ssi_sink_explanations_total", "Explanations computed for the api's score reads.")
HISTORY_EXPIRED = Counter(
    "ssi_sink_history_rows_expired_total", "Daily history rows (rep_score_daily) deleted for being older than the retention."
)
ROWS_EXPIRED = Counter(
    "ssi_sink_rows_expired_total",
    "Rows deleted for being older than their retention, by table (crm_outcomes, brand_mentions, team_daily, "
    "rep_score_changes; the ledger and rep_score_daily have their own counters).",
    ["table"],
)
