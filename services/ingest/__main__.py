"""python -m services.ingest: serve on SSI_INGEST_HOST:SSI_INGEST_PORT."""

import os

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from shared.http.serve import serve


def main() -> None:
    settings = IngestSettings()
    # uvicorn rewrites the client address from X-Forwarded-For when the peer is in FORWARDED_ALLOW_IPS (by
    # default loopback): believe the header only from SSI_INGEST_TRUSTED_PROXIES, as the webhook allow-lists do
    os.environ["FORWARDED_ALLOW_IPS"] = settings.trusted_proxies
    serve(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    main()
