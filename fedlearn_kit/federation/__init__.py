"""Federated training with Flower: the apps, the engines and their Result (lesson 04).

``fedlearn_kit.federation.run(exp, engine="local" | "simulation" | "deployment")`` trains
an :class:`~fedlearn_kit.Experiment` with the kit's Flower ClientApp and ServerApp
(:mod:`~fedlearn_kit.federation.apps`) and returns a :class:`Result`.

The core reads top to bottom: :mod:`.task` (one site's training, no Flower),
:mod:`.config` (Experiment <-> run config), :mod:`.apps` (ClientApp and ServerApp with
hooks), :mod:`.result` (Result), :mod:`.engines` (``run``), :mod:`.local` (in-process
engine), :mod:`.simulation` (Flower's simulation runtime). The deployment engine lives in
:mod:`.deployment`, every Flower internal in :mod:`._flower`, every timing (polls,
timeouts) in :mod:`.settings`.

Submodules load when first used (``federation.run`` imports Flower and torch), so
``import fedlearn_kit`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fedlearn_kit.federation import deployment, faults, plots, report
    from fedlearn_kit.federation.config import (
        experiment_from_config,
        experiment_to_config,
        write_flower_app,
    )
    from fedlearn_kit.federation.engines import ENGINES, run
    from fedlearn_kit.federation.report import what_leaves
    from fedlearn_kit.federation.result import Result, load_result, quiet_flower
    from fedlearn_kit.federation.task import first_round_updates

#: Public name -> the module that defines it (a module itself when the value is None).
_LAZY = {
    "ENGINES": "engines", "run": "engines",
    "Result": "result", "load_result": "result", "quiet_flower": "result",
    "experiment_from_config": "config", "experiment_to_config": "config",
    "write_flower_app": "config",
    "first_round_updates": "task", "what_leaves": "report",
    "apps": None, "config": None, "deployment": None, "engines": None, "faults": None,
    "local": None, "plots": None, "report": None, "result": None, "simulation": None,
    "task": None,
}

__all__ = ["ENGINES", "Result", "deployment", "experiment_from_config", "experiment_to_config",
           "faults", "first_round_updates", "load_result", "plots", "quiet_flower", "report",
           "run", "what_leaves", "write_flower_app"]


def __getattr__(name: str) -> Any:
    """Import a submodule, or the module defining a public name, when first used."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _LAZY[name]
    if home is None:
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
