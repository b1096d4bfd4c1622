"""What the api reads, one module per concept; routes parse and return, the SQL is in services.api.repository."""
