"""fedlearn-kit: train a readmission model centrally and federated on synthetic patients.

The public API, re-exported from the modules that implement it. Each lesson imports
``fedlearn_kit as kit`` and calls these names.
"""

import os

# Flower reports anonymous usage statistics unless told not to. A course about what leaves
# a hospital should send nothing it does not explain, so the kit turns it off on import.
os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")

from fedlearn_kit import (
    datacard,  # noqa: E402
    federation,  # noqa: E402
    plots,  # noqa: E402
)
from fedlearn_kit.cohort import (  # noqa: E402
    NONLINEAR_EFFECTS,
    TRUE_COEFFICIENTS,
    TRUE_INTERCEPT,
    Cohort,
    future_patients,
    generate,
)
from fedlearn_kit.environment import check_environment  # noqa: E402
from fedlearn_kit.evaluation import (  # noqa: E402
    auroc,
    bootstrap_auroc,
    compare,
    evaluate,
    pooling_cost,
    reliability,
    scores,
    site_report,
    subgroup_scores,
)
from fedlearn_kit.examples import damaged_copy, without_variable  # noqa: E402
from fedlearn_kit.experiment import Experiment  # noqa: E402
from fedlearn_kit.paths import DATA_DIR  # noqa: E402
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME, schema_table  # noqa: E402
from fedlearn_kit.sites import SiteProfile, default_sites, profiles_table  # noqa: E402
from fedlearn_kit.storage import load_cohort, verify_checksums, write_cohort  # noqa: E402
from fedlearn_kit.training import (  # noqa: E402
    Split,
    TrainedModel,
    fit,
    fit_central,
    fit_local,
    split_cohort,
)
from fedlearn_kit.validation import (  # noqa: E402
    CohortError,
    impossible_personnummer,
    looks_like_personnummer,
    read_site_csv,
    validate,
)

__version__ = "0.1.0"

__all__ = [
    "Cohort",
    "CohortError",
    "DATA_DIR",
    "Experiment",
    "FEATURE_NAMES",
    "NONLINEAR_EFFECTS",
    "OUTCOME_NAME",
    "SiteProfile",
    "Split",
    "TRUE_COEFFICIENTS",
    "TRUE_INTERCEPT",
    "TrainedModel",
    "auroc",
    "bootstrap_auroc",
    "check_environment",
    "compare",
    "damaged_copy",
    "datacard",
    "default_sites",
    "evaluate",
    "federation",
    "fit",
    "fit_central",
    "fit_local",
    "future_patients",
    "generate",
    "impossible_personnummer",
    "load_cohort",
    "looks_like_personnummer",
    "plots",
    "pooling_cost",
    "profiles_table",
    "read_site_csv",
    "reliability",
    "schema_table",
    "scores",
    "site_report",
    "split_cohort",
    "subgroup_scores",
    "validate",
    "verify_checksums",
    "write_cohort",
]

# The GDPR layer (question cards, answers, DPIA draft): kit.show_cards(step) ends every lesson.
from fedlearn_kit import gdpr, monitoring  # noqa: E402
from fedlearn_kit.gdpr import show_cards  # noqa: E402

__all__ += ["gdpr", "monitoring", "show_cards"]

# Lessons show the package's own code (displayed, never copied): kit.show_source(obj).
from fedlearn_kit.source import show_source  # noqa: E402

__all__ += ["show_source", "without_variable"]
