"""The scoring worker's Prometheus metrics (the sink has its own: services/scorer/sink/metrics.py)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter("ssi_scorer_events_total", "Activity records handled by the scorer, by outcome.", ["outcome"])
PROCESSING_SECONDS = Histogram(
    "ssi_scorer_batch_seconds",
    "Time spent handling one fetched batch of activity records (all its reps).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
BATCH_RECORDS = Histogram(
    "ssi_scorer_batch_records",
    "Activity records per batch handed to the scorer.",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)
BATCH_REPS = Histogram(
    "ssi_scorer_batch_reps",
    "Distinct reps per batch: one state write, one snapshot and one ledger record each.",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)
RECEIVED_TO_SCORED_SECONDS = Histogram(
    "ssi_scorer_received_to_scored_seconds",
    "Time from ingest accepting an event to the scorer emitting its new score.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
CONSUMER_LAG = Gauge(
    "ssi_scorer_consumer_lag_records", "Records on the activity topic not yet processed, by partition.", ["partition"]
)
DEDUP_KEYS = Gauge("ssi_scorer_dedup_keys", "Event ids remembered for deduplication by this worker.")
DEDUP_PRUNED = Counter("ssi_scorer_dedup_pruned_total", "Event ids forgotten after the dedup retention.")
REPS = Gauge("ssi_scorer_rep_states", "Rep states held by this worker (after the last idle sweep).")
IDLE_DROPPED = Counter(
    "ssi_scorer_idle_reps_dropped_total", "Rep states dropped because the rep was idle beyond the model's horizon."
)
ERASED_RECORDS_DROPPED = Counter(
    "ssi_scorer_erased_records_dropped_total",
    "Table records (rep state, dedup records) of erased reps dropped with a changelog tombstone.",
)
