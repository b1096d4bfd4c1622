"""The scoring model: a declarative, versioned data file and the pure functions that apply it.

No Faust, no Kafka, no database here: the scorer's agents and the api call these functions.
"""

from shared.scoring.model import (
    PILLARS,
    ModelFileError,
    ScoringModel,
    load_default_model,
    load_model,
    load_packaged_model,
)
from shared.scoring.state import (
    Basis,
    Contribution,
    Outcome,
    RepState,
    Score,
    Unscorable,
    apply_contribution,
    apply_event,
    bucket_value,
    classify,
    contribution,
    evaluate,
    pillar_values,
    points,
    stored_basis,
)

__all__ = [
    "PILLARS",
    "Basis",
    "Contribution",
    "ModelFileError",
    "Outcome",
    "RepState",
    "Score",
    "ScoringModel",
    "Unscorable",
    "apply_contribution",
    "apply_event",
    "bucket_value",
    "classify",
    "contribution",
    "evaluate",
    "load_default_model",
    "load_model",
    "load_packaged_model",
    "pillar_values",
    "points",
    "stored_basis",
]
