"""python -m services.api: serve on SSI_API_HOST:SSI_API_PORT."""

from services.api.app import create_app
from services.api.config import ApiSettings
from shared.http.serve import serve


def main() -> None:
    settings = ApiSettings()
    serve(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    main()
