"""Scorer: a Faust worker keeping each rep's pillar state in a table, and a sink writing scores to Postgres."""
