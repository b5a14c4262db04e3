"""Federated training with Flower: the course's app on three engines, one Result (lesson 04).

``fedlearn_kit.federation.run(exp, engine="local" | "simulation" | "deployment")`` trains
an :class:`~fedlearn_kit.Experiment` with the course's Flower app (the folder ``app/``: its
``task.py``, ``client_app.py`` and ``server_app.py``) and returns a :class:`Result`.

The modules: :mod:`.flower_app` (find the app folder, read its ``pyproject.toml``, load its
components), :mod:`.config` (an Experiment as the app's run config), :mod:`.task` (the
app's task applied to an Experiment: site data, round 1), :mod:`.result` (Result),
:mod:`.engines` (``run``), :mod:`.local` (in-process engine), :mod:`.simulation` (``flwr
run`` on Flower's simulation runtime), :mod:`.drift`, :mod:`.report`, :mod:`.plots`. The
deployment engine lives in :mod:`.deployment`, every Flower internal in :mod:`._flower`,
every timing (polls, timeouts) in :mod:`.settings`.

Submodules load when first used (``federation.run`` imports Flower and torch), so
``import fedlearn_kit`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fedlearn_kit.lazy_names import lazy_exports

if TYPE_CHECKING:
    from fedlearn_kit.federation import deployment, drift, faults, flower_app, plots, report
    from fedlearn_kit.federation.config import run_config
    from fedlearn_kit.federation.drift import drift_table
    from fedlearn_kit.federation.engines import ENGINES, run
    from fedlearn_kit.federation.flower_app import copy_app, default_app
    from fedlearn_kit.federation.report import print_gains, print_updates, readable, what_leaves
    from fedlearn_kit.federation.result import Result, load_result, quiet_flower
    from fedlearn_kit.federation.task import first_round

#: Public name -> the module that defines it (a module itself when the value is None).
_LAZY = {
    "ENGINES": "engines", "run": "engines",
    "Result": "result", "load_result": "result", "quiet_flower": "result",
    "run_config": "config", "copy_app": "flower_app", "default_app": "flower_app",
    "first_round": "task", "drift_table": "drift", "what_leaves": "report",
    "readable": "report", "print_gains": "report", "print_updates": "report",
    "config": None, "deployment": None, "drift": None, "engines": None, "faults": None,
    "flower_app": None, "local": None, "plots": None, "report": None, "result": None,
    "simulation": None, "task": None,
}

__all__ = ["ENGINES", "Result", "copy_app", "default_app", "deployment", "drift", "drift_table",
           "faults", "first_round", "flower_app", "load_result", "plots", "quiet_flower",
           "print_gains", "print_updates", "readable", "report", "run", "run_config",
           "what_leaves"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
