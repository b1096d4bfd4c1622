"""python -m services.scorer worker: the Faust scoring worker (Faust's own CLI)."""

import logging

from services.scorer.app import create_app
from services.scorer.config import ScorerSettings


def main() -> None:
    settings = ScorerSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    create_app(settings).main()


if __name__ == "__main__":
    main()
