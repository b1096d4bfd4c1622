"""The sink: score snapshots from Kafka into Postgres, in batches, offsets committed only after the write."""
