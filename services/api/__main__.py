"""python -m services.api: serve on SSI_API_HOST:SSI_API_PORT."""

import logging

import uvicorn

from services.api.app import create_app
from services.api.config import ApiSettings


def main() -> None:
    settings = ApiSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
