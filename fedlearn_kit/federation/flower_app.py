"""The course's Flower app folder: where it is, what it declares, its apps loaded (lesson 04).

The app is an ordinary Flower app in the course's ``app/`` folder (the shape ``flwr new``
gives): a ``pyproject.toml`` whose ``[tool.flwr.app.components]`` names a ServerApp and a
ClientApp as ``module:attribute``, and a package with ``task.py``, ``client_app.py`` and
``server_app.py``. Every engine runs such a folder; this module finds it, reads its
``pyproject.toml`` and imports its components the way ``flwr run`` does (the folder first
on ``sys.path``), with importlib only. No Flower code here.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fedlearn_kit.paths import course_root

#: Set to an app folder to make it the default of every engine.
APP_ENV = "FEDLEARN_APP"
#: The name of the course's app folder.
APP_FOLDER = "app"


def default_app() -> Path:
    """The course's app folder: ``$FEDLEARN_APP``, the checkout's ``app/``, or ``app/`` in
    the current folder or the one above it (a lesson runs in ``notebooks/``)."""
    if os.environ.get(APP_ENV):
        return app_folder(os.environ[APP_ENV])
    here, checkout = Path.cwd(), course_root()
    candidates = [here / APP_FOLDER, here.parent / APP_FOLDER]
    if checkout is not None:
        candidates.insert(0, checkout / APP_FOLDER)
    for candidate in candidates:
        if (candidate / "pyproject.toml").is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        f"Found no Flower app folder (app/pyproject.toml) in {', '.join(map(str, candidates))}. "
        f"Run from the course folder, or set {APP_ENV} to the app's folder.")


def app_folder(path: str | os.PathLike[str] | None = None) -> Path:
    """``path`` as an app folder (default: :func:`default_app`), or a clear error."""
    if path is None:
        return default_app()
    folder = Path(path).expanduser().resolve()
    if not (folder / "pyproject.toml").is_file():
        raise FileNotFoundError(f"{folder} is not a Flower app folder: it has no pyproject.toml.")
    return folder


def project(app: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The app's ``pyproject.toml``, parsed."""
    with (app_folder(app) / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def flwr_section(app: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The app's ``[tool.flwr.app]`` table, or an error naming what is missing."""
    try:
        section: dict[str, Any] = project(app)["tool"]["flwr"]["app"]
        section["components"]["serverapp"], section["components"]["clientapp"]
    except KeyError as missing:
        raise ValueError(f"{app_folder(app) / 'pyproject.toml'} lacks {missing} in "
                         "[tool.flwr.app] (Flower needs components.serverapp, "
                         "components.clientapp and config).") from None
    return section


def default_config(app: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The app's run config as its ``[tool.flwr.app.config]`` declares it."""
    return dict(flwr_section(app).get("config", {}))


def _top_package(reference: str) -> str:
    return reference.partition(":")[0].split(".")[0]


@contextmanager
def loaded(app: str | os.PathLike[str] | None = None) -> Iterator[tuple[Any, Any]]:
    """``(client_app, server_app)``: the app's components, imported fresh from its folder.

    The way ``flwr run`` resolves ``module:attribute``: the app's folder goes first on
    ``sys.path`` and the module is imported. Modules of the app's package that this process
    had already imported (the kit imports the course app's ``task``) are set aside for the
    block and put back afterwards, so the block sees the folder's files as they are now,
    edits included, and the rest of the process is left as it was.
    """
    folder = app_folder(app)
    components = flwr_section(folder)["components"]
    packages = {_top_package(components["serverapp"]), _top_package(components["clientapp"])}
    mine = {name for name in sys.modules if name.split(".")[0] in packages}
    set_aside = {name: sys.modules.pop(name) for name in mine}
    sys.path.insert(0, str(folder))
    try:
        yield _attribute(components["clientapp"]), _attribute(components["serverapp"])
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] in packages]:
            del sys.modules[name]
        sys.modules.update(set_aside)


def _attribute(reference: str) -> Any:
    module_name, _, attributes = reference.partition(":")
    value: Any = importlib.import_module(module_name)
    for name in attributes.split("."):
        value = getattr(value, name)
    return value


def copy_app(destination: str | os.PathLike[str], app: str | os.PathLike[str] | None = None,
             *, replace: bool = False) -> Path:
    """Copy the app folder to ``destination`` (a folder you may edit) and return its path.

    Caches (``__pycache__``) are left out. An existing destination is kept unless
    ``replace=True``, so an edited copy is never overwritten by accident.
    """
    source, target = app_folder(app), Path(destination).expanduser().resolve()
    if target.exists():
        if not replace:
            return app_folder(target)
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def replace_in_file(path: str | os.PathLike[str], old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in the text file ``path`` with ``new``.

    An edit in code, for a notebook that must repeat it (a learner may as well edit the
    file in JupyterLab). Refused, leaving the file as it was, unless ``old`` occurs once.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{path.name} holds {count} copies of the text to replace; it must "
                         f"hold exactly one:\n{old}")
    path.write_text(text.replace(old, new), encoding="utf-8")
