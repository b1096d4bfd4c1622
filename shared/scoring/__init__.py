"""The scoring model: a declarative, versioned data file and the pure functions that apply it.

No Faust, no Kafka, no database here: the scorer's agents and the api call these functions.
"""

from shared.scoring.model import PILLARS, ScoringModel, load_default_model, load_model
from shared.scoring.state import Outcome, RepState, Score, Unscorable, apply_event, classify, evaluate

__all__ = [
    "PILLARS",
    "Outcome",
    "RepState",
    "Score",
    "ScoringModel",
    "Unscorable",
    "apply_event",
    "classify",
    "evaluate",
    "load_default_model",
    "load_model",
]
