"""An Experiment as the app's run config (lesson 04).

Flower hands a run's settings to every app as a flat ``run_config`` with kebab-case keys,
the keys the app's ``pyproject.toml`` lists under ``[tool.flwr.app.config]`` and ``flwr run
--run-config`` overrides. :func:`run_config` writes an Experiment in those keys (Flower's own
names: ``num-server-rounds``, ``learning-rate``, ...), so every engine runs the app with
the whole experiment; :func:`write_run_config` writes it as the TOML file ``flwr run
--run-config FILE`` reads. No Flower imports here.
"""

from __future__ import annotations

import math
from pathlib import Path

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.i18n import _

#: A run-config value: what ``[tool.flwr.app.config]`` may hold.
Value = bool | int | float | str

#: Settings of a run that are not part of the Experiment, with their defaults (the app's
#: pyproject declares the same; a test checks it).
RUN_OPTIONS: dict[str, Value] = {
    "min-sites": 1,  # fewest sites that must reply in a round for training to go on
    "server-eval": True,  # evaluate the global model on the pooled test sets each round
    "data-dir": "data",  # one CSV per site, for SuperNodes started without data-path
    "result-path": "",  # where the ServerApp saves the model and its round log
    "connect-timeout": 60.0,  # seconds to wait for every site's SuperNode to connect
    "round-timeout": 600.0,  # seconds to wait for the sites' replies in a round
    "registered-sites": "",  # "NODE:SITE ...": each registered key's site (deployment)
    "hold-after-round": 0,  # lesson 07: the ServerApp pauses after this round ...
    "hold-file": "",  # ... until this file exists (the kit switches a site off meanwhile)
}


def run_config(exp: Experiment, **options: Value) -> dict[str, Value]:
    """The experiment, and run options such as ``min_sites=2``, as the app's run config."""
    config: dict[str, Value] = {
        "num-server-rounds": exp.num_rounds,
        "local-epochs": exp.local_epochs,
        "learning-rate": exp.lr,
        "batch-size": exp.batch_size,
        "model": exp.model,
        "hidden": exp.hidden,
        "strategy": exp.strategy,
        "proximal-mu": exp.proximal_mu,
        "seed": exp.seed,
        "test-fraction": exp.test_fraction,
        "num-sites": exp.num_sites,
        **RUN_OPTIONS,
    }
    for name, value in options.items():
        key = name.replace("_", "-")
        if key not in RUN_OPTIONS:
            raise ValueError(_("Unknown run option {name}; known: {known}.").format(
                name=repr(name), known=sorted(k.replace("-", "_") for k in RUN_OPTIONS)))
        config[key] = value
    return config


def check_min_sites(min_sites: int, num_sites: int) -> int:
    """``min_sites`` as an int between 1 and ``num_sites``, or a clear error."""
    if not 1 <= int(min_sites) <= num_sites:
        raise ValueError(_("min_sites={min_sites}: must be between 1 and num_sites={num_sites} "
                           "(the fewest sites that must reply for a round to count).").format(
            min_sites=min_sites, num_sites=num_sites))
    return int(min_sites)


def toml_value(value: Value) -> str:
    """One run-config value written as TOML (strings quoted and escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"A run config holds finite numbers only, not {value}.")
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_run_config(path: str | Path, config: dict[str, Value]) -> Path:
    """Write ``config`` as a TOML file, the form ``flwr run --run-config FILE`` reads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f'"{key}" = {toml_value(value)}' for key, value in config.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
