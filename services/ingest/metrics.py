from prometheus_client import Counter, Histogram

EVENTS = Counter("ssi_ingest_events_total", "Events received by ingest, by outcome.", ["outcome"])
REQUESTS = Counter("ssi_ingest_requests_total", "Ingest requests, by outcome.", ["outcome"])
PRODUCE_SECONDS = Histogram(
    "ssi_ingest_kafka_produce_seconds",
    "Time from handing a request's events to the producer until Kafka acknowledged all of them.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBHOOK_REQUESTS = Counter(
    "ssi_ingest_webhook_requests_total", "Webhook requests by sender and outcome.", ["provider", "outcome"]
)
QUOTA_REFUSALS = Counter(
    "ssi_ingest_quota_refusals_total",
    "Requests refused with 429 because their tenant was past a quota, by quota kind (no tenant label: "
    "unbounded cardinality).",
    ["kind"],
)
