"""HTTP building blocks both FastAPI services use: problem+json errors, tenant keys, metrics, health."""
