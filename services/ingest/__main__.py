"""python -m services.ingest: serve on SSI_INGEST_HOST:SSI_INGEST_PORT with SSI_INGEST_WORKERS processes."""

import os

from services.ingest.config import IngestSettings
from shared.http.serve import serve, workers_from_env


def main() -> None:
    settings = IngestSettings()  # read here too, so a bad setting stops the start before any worker spawns
    # uvicorn rewrites the client address from X-Forwarded-For when the peer is in FORWARDED_ALLOW_IPS (by
    # default loopback): believe the header only from SSI_INGEST_TRUSTED_PROXIES, as the webhook allow-lists do
    os.environ["FORWARDED_ALLOW_IPS"] = settings.trusted_proxies
    serve("services.ingest.app:app_from_env", host=settings.host, port=settings.port, log_level=settings.log_level,
          workers=workers_from_env("SSI_INGEST_WORKERS"))


if __name__ == "__main__":
    main()
