"""python -m services.ingest: serve on SSI_INGEST_HOST:SSI_INGEST_PORT."""

import logging

import uvicorn

from services.ingest.app import create_app
from services.ingest.config import IngestSettings


def main() -> None:
    settings = IngestSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
