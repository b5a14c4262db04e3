"""fedlearn-kit: train a readmission model centrally and federated on synthetic patients.

The public API, re-exported from the modules that implement it. Each lesson imports
``fedlearn_kit as kit`` and calls these names. Importing the kit is quick: each name's
module (and with it torch, pandas, scikit-learn, matplotlib or Flower) loads the first time
the name is used, so the command line and ``import fedlearn_kit`` start at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Flower reports anonymous usage statistics and checks for updates unless told not to. A
# course about what leaves a hospital should send nothing it does not explain, so the kit
# turns them off on import (the switches live in fedlearn_kit.offline, the one place).
from fedlearn_kit import offline as _offline  # noqa: E402 - before anything imports Flower

_offline.apply()
# Maintainer tooling left the package for tools/: its old module names fail, naming the new
# command (fedlearn_kit.moved).
from fedlearn_kit import moved as _moved  # noqa: E402
from fedlearn_kit.lazy_names import lazy_exports  # noqa: E402

_moved.install()

__version__ = "0.1.0"

#: Each public name -> the module that defines it (``None``: the name is a subpackage or
#: module of the kit itself).
_EXPORTS: dict[str, str | None] = {
    # the cohort (lesson 01)
    "Cohort": "cohort", "NONLINEAR_EFFECTS": "cohort", "TRUE_COEFFICIENTS": "cohort",
    "TRUE_INTERCEPT": "cohort", "future_patients": "cohort", "generate": "cohort",
    "FEATURE_NAMES": "schema", "OUTCOME_NAME": "schema", "schema_table": "schema",
    "SiteProfile": "sites", "default_sites": "sites", "profiles_table": "sites",
    "load_cohort": "storage", "verify_checksums": "storage",
    "report_data_check": "storage", "write_cohort": "storage",
    "CohortError": "validation", "impossible_personnummer": "validation",
    "looks_like_personnummer": "validation", "read_site_csv": "validation",
    "validate": "validation",
    "damaged_copy": "faulty_data", "without_variable": "faulty_data",
    "DATA_DIR": "paths",
    "check_environment": "environment",
    # the course's language: the lesson's folder, FEDLEARN_LANG or the answers file (lesson 00)
    "language": "i18n",
    "Experiment": "experiment",
    # training and evaluation (lessons 02-03)
    "Split": "training", "TrainedModel": "training", "fit": "training",
    "fit_central": "training", "fit_local": "training", "new_net": "training",
    "split_cohort": "training",
    "auroc": "evaluation", "bootstrap_auroc": "evaluation", "compare": "evaluation",
    "evaluate": "evaluation", "pooling_cost": "evaluation", "reliability": "evaluation",
    "scores": "evaluation", "site_report": "evaluation", "subgroup_scores": "evaluation",
    # the GDPR layer: kit.show_cards(step) ends every lesson
    "show_cards": "gdpr",
    # lessons show the package's own code, displayed and never copied (lessons 02, 04)
    "show_source": "source",
    # subpackages and modules used as kit.<name>
    "datacard": None, "federation": None, "gdpr": None, "monitoring": None, "plots": None,
    "evaluation": None, "training": None, "clinical": None,
}

__all__ = [
    "Cohort", "CohortError", "DATA_DIR", "Experiment", "FEATURE_NAMES", "NONLINEAR_EFFECTS",
    "OUTCOME_NAME", "SiteProfile", "Split", "TRUE_COEFFICIENTS", "TRUE_INTERCEPT", "TrainedModel",
    "auroc", "bootstrap_auroc", "check_environment", "compare", "damaged_copy", "datacard",
    "default_sites", "evaluate", "federation", "fit", "fit_central", "fit_local",
    "future_patients", "gdpr", "generate", "new_net", "impossible_personnummer", "load_cohort",
    "looks_like_personnummer", "monitoring", "plots", "pooling_cost", "profiles_table",
    "read_site_csv", "reliability", "report_data_check", "schema_table", "scores", "show_cards",
    "site_report",
    "split_cohort", "subgroup_scores", "validate", "verify_checksums", "write_cohort",
    "show_source", "without_variable", "evaluation", "training", "language", "clinical",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
    from fedlearn_kit import (
        clinical,
        datacard,
        evaluation,
        federation,
        gdpr,
        monitoring,
        plots,
        training,
    )
    from fedlearn_kit.cohort import (
        NONLINEAR_EFFECTS,
        TRUE_COEFFICIENTS,
        TRUE_INTERCEPT,
        Cohort,
        future_patients,
        generate,
    )
    from fedlearn_kit.environment import check_environment
    from fedlearn_kit.evaluation import (
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
    from fedlearn_kit.experiment import Experiment
    from fedlearn_kit.faulty_data import damaged_copy, without_variable
    from fedlearn_kit.gdpr import show_cards
    from fedlearn_kit.i18n import language
    from fedlearn_kit.paths import DATA_DIR
    from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME, schema_table
    from fedlearn_kit.sites import SiteProfile, default_sites, profiles_table
    from fedlearn_kit.source import show_source
    from fedlearn_kit.storage import (
        load_cohort,
        report_data_check,
        verify_checksums,
        write_cohort,
    )
    from fedlearn_kit.training import (
        Split,
        TrainedModel,
        fit,
        fit_central,
        fit_local,
        new_net,
        split_cohort,
    )
    from fedlearn_kit.validation import (
        CohortError,
        impossible_personnummer,
        looks_like_personnummer,
        read_site_csv,
        validate,
    )


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
