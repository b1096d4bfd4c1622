"""Ingest: authenticates senders, validates CloudEvents, and answers 202 only once Kafka has them."""
