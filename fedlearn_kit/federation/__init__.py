"""Federated training with Flower: the apps, the engines and their Result (lesson 04).

``fedlearn_kit.federation.run(exp, engine="local" | "simulation" | "deployment")`` trains
an :class:`~fedlearn_kit.Experiment` with the kit's Flower ClientApp and ServerApp
(:mod:`fedlearn_kit.federation.apps`) and returns a :class:`Result`. Flower itself is
imported only when a run starts, so ``import fedlearn_kit`` stays quick.
"""

from fedlearn_kit.federation import plots, report
from fedlearn_kit.federation.config import (
    experiment_from_config,
    experiment_to_config,
    write_flower_app,
)
from fedlearn_kit.federation.engines import ENGINES, Result, load_result, run
from fedlearn_kit.federation.report import what_leaves
from fedlearn_kit.federation.task import first_round_updates

__all__ = ["ENGINES", "Result", "experiment_from_config", "experiment_to_config",
           "first_round_updates", "load_result", "plots", "report", "run", "what_leaves",
           "write_flower_app"]
