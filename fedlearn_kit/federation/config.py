"""An Experiment as Flower's run config, and back (lesson 04).

Flower passes a run's settings to every app as a flat ``run_config`` with kebab-case keys
(``num-rounds``, ``local-epochs``, ...), the same keys a ``pyproject.toml`` lists under
``[tool.flwr.app.config]`` and ``flwr run --run-config`` overrides. Python code keeps the
kit's snake_case names. This module is the one place that maps the two, so the apps run the
same under the kit's engines and under ``flwr run``. No Flower imports here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, get_type_hints

from fedlearn_kit.experiment import Experiment

#: Settings of a federated run that are not part of the Experiment, with their defaults.
RUN_OPTIONS: dict[str, bool | int | float | str] = {
    "min-sites": 1,  # fewest sites that must reply in a round for training to go on
    "server-eval": True,  # evaluate the global model on the pooled test sets each round
    "result-path": "",  # where the ServerApp saves the Result ("" = keep it in memory only)
    "connect-timeout": 60.0,  # seconds to wait for every site's SuperNode to connect
    "round-timeout": 600.0,  # seconds to wait for the sites' replies in a round
    # The deployment's ServerApp pauses after this round (0: never) until ``hold-file``
    # exists: the kit switches a site off in between (lesson 07's lost laptop).
    "hold-after-round": 0,
    "hold-file": "",
}

#: Each Experiment field's type, read from its annotation (``int | None`` -> ``int``).
_TYPES = {name: next(a for a in getattr(hint, "__args__", (hint,)) if a is not type(None))
          for name, hint in get_type_hints(Experiment).items()}


def to_key(name: str) -> str:
    """A Python name as a run-config key: ``local_epochs`` -> ``local-epochs``."""
    return name.replace("_", "-")


def experiment_to_config(exp: Experiment, **options: bool | int | float | str
                         ) -> dict[str, bool | int | float | str]:
    """The experiment (and run options such as ``min_sites``) as a Flower run config.

    ``patients_per_site=None`` (each site keeps its preset size) becomes ``0``, because a
    run config holds no ``None``.
    """
    config: dict[str, bool | int | float | str] = {}
    for name, value in exp.as_dict().items():
        config[to_key(name)] = 0 if value is None else value  # type: ignore[assignment]
    config.update(RUN_OPTIONS)
    for name, value in options.items():
        key = to_key(name)
        if key not in RUN_OPTIONS:
            raise ValueError(f"Unknown run option {name!r}; known: "
                             f"{sorted(k.replace('-', '_') for k in RUN_OPTIONS)}.")
        config[key] = value
    return config


def merged_config(*configs: Mapping[str, object] | None) -> dict[str, object]:
    """Defaults, then each config in turn overriding the ones before (``None`` is skipped)."""
    merged: dict[str, object] = dict(experiment_to_config(Experiment()))
    for config in configs:
        merged.update(config or {})
    return merged


def experiment_from_config(config: Mapping[str, object]) -> Experiment:
    """Rebuild the Experiment from a run config; missing keys keep the Experiment defaults."""
    values: dict[str, Any] = {}
    for field in fields(Experiment):
        key = to_key(field.name)
        if key not in config:
            continue
        value = config[key]
        if field.name == "patients_per_site":
            values[field.name] = None if not value else int(value)  # type: ignore[call-overload]
        else:
            cast = _TYPES[field.name]
            try:
                values[field.name] = cast(value)
            except (TypeError, ValueError):
                raise ValueError(f"Run config {key}={value!r}: expected {field.type}.") from None
    return Experiment(**values)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


#: The module of an app folder that names its components. ``flwr run`` checks a component
#: with importlib's ``find_spec``, which imports every parent package of the module it
#: names; a small module inside the app folder keeps that check instant in the ``flwr``
#: command, while the SuperLink and SuperNodes import the kit when they load the apps.
COMPONENTS_MODULE = "course_app"
COMPONENTS_SOURCE = '''"""The course's Flower components (written by write_flower_app)."""

from fedlearn_kit.federation import apps
from fedlearn_kit.federation.deployment import server_app as deployment

# Flower's `flwr run` looks for these two assignments in the module's source.
client_app = apps.client_app
server_app = deployment.app  # the kit's ServerApp, pulling replies every 0.2 s
'''


def app_dependencies() -> list[str]:
    """What the app folder needs to run: the kit, and the exact flwr and torch it was run
    with (read from the installed packages, so the folder says what really ran it)."""
    from importlib.metadata import PackageNotFoundError, version

    needs = []
    for name in ("fedlearn-kit", "flwr", "torch"):
        try:
            needs.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            needs.append(name)
    return needs


def write_flower_app(directory: str | Path, exp: Experiment | None = None,
                     **options: bool | int | float | str) -> Path:
    """Write a Flower app folder: ``pyproject.toml`` plus its components module.

    ``flwr run DIR`` then trains the same experiment as ``federation.run``: the components
    (:data:`COMPONENTS_MODULE`) are the kit's ClientApp and its deployment ServerApp (the
    kit's ServerApp, pulling replies promptly and announcing each round; see
    :mod:`fedlearn_kit.federation.deployment.server_app`), and ``[tool.flwr.app.config]``
    is the experiment's run config. The kit's deployment engine runs exactly this folder.
    The kit must be installed where the SuperLink and SuperNodes run; the folder declares
    it, with the exact flwr and torch, as its dependencies (:func:`app_dependencies`).
    Returns the path of the ``pyproject.toml``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = experiment_to_config(exp or Experiment(), **options)
    lines = [
        "# Written by fedlearn_kit.federation.config.write_flower_app; safe to regenerate.",
        "[build-system]", 'requires = ["hatchling"]', 'build-backend = "hatchling.build"', "",
        "[project]", 'name = "fedlearn-kit-app"', 'version = "0.1.0"',
        'description = "The fedlearn-kit course apps: heart-failure readmission, federated"',
        'license = "Apache-2.0"',
        "dependencies = [" + ", ".join(map(_toml_value, app_dependencies())) + "]",
        "",
        "[tool.flwr.app]", 'publisher = "fedlearn-kit"', "",
        "[tool.flwr.app.components]",
        f'serverapp = "{COMPONENTS_MODULE}:server_app"',
        f'clientapp = "{COMPONENTS_MODULE}:client_app"', "",
        "[tool.flwr.app.config]",
        *(f'"{key}" = {_toml_value(value)}' for key, value in config.items()), "",
    ]
    (directory / f"{COMPONENTS_MODULE}.py").write_text(COMPONENTS_SOURCE, encoding="utf-8")
    path = directory / "pyproject.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
