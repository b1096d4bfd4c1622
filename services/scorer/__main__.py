"""python -m services.scorer worker: the Faust scoring worker (Faust's own CLI)."""

import os
import sys

from services.scorer.app import create_app
from services.scorer.config import ScorerSettings
from shared import logs


def main() -> None:
    settings = ScorerSettings()
    logs.configure(settings.log_level)  # until Faust's worker applies the app's logging_config (services.scorer.app)
    # Faust's worker prints a banner and a progress spinner on stdout, which is the log file under make run:
    # they would break its JSON lines (every log line goes to stderr; the banner's facts are in the settings)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    create_app(settings).main()


if __name__ == "__main__":
    main()
