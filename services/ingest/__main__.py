"""python -m services.ingest: serve on SSI_INGEST_HOST:SSI_INGEST_PORT."""

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from shared.http.serve import serve


def main() -> None:
    settings = IngestSettings()
    serve(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    main()
