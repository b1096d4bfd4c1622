from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter("ssi_scorer_events_total", "Activity records handled by the scorer, by outcome.", ["outcome"])
PROCESSING_SECONDS = Histogram(
    "ssi_scorer_processing_seconds",
    "Time spent handling one activity record in the scorer.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)
RECEIVED_TO_SCORED_SECONDS = Histogram(
    "ssi_scorer_received_to_scored_seconds",
    "Time from ingest accepting an event to the scorer emitting its new score.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
CONSUMER_LAG = Gauge(
    "ssi_scorer_consumer_lag_records", "Records on the activity topic not yet processed, by partition.", ["partition"]
)
SINK_ROWS = Counter("ssi_sink_rows_written_total", "Rows upserted into Postgres by the sink, by table.", ["table"])
SINK_RECORDS = Counter("ssi_sink_records_total", "Score records consumed by the sink, by outcome.", ["outcome"])
SINK_BATCH_SECONDS = Histogram(
    "ssi_sink_batch_seconds",
    "Time to write one batch to Postgres and commit its offsets.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SINK_LAG = Gauge("ssi_sink_consumer_lag_records", "Score records not yet written to Postgres, by partition.", ["partition"])
REFRESH_SECONDS = Histogram(
    "ssi_sink_decay_refresh_seconds",
    "Time to re-evaluate every stored score with decay (for ranks).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)
DEDUP_KEYS = Gauge("ssi_scorer_dedup_keys", "Event ids remembered for deduplication (after the last pruning).")
DEDUP_PRUNED = Counter("ssi_scorer_dedup_pruned_total", "Event ids forgotten after the dedup retention.")
