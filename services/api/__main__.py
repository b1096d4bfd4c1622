"""python -m services.api: serve on SSI_API_HOST:SSI_API_PORT with SSI_API_WORKERS processes."""

from services.api.config import ApiSettings
from shared.http.serve import serve, workers_from_env


def main() -> None:
    settings = ApiSettings()  # read here too, so a bad setting stops the start before any worker spawns
    serve("services.api.app:app_from_env", host=settings.host, port=settings.port, log_level=settings.log_level,
          workers=workers_from_env("SSI_API_WORKERS"))


if __name__ == "__main__":
    main()
