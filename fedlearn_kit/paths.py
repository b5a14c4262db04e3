"""Where the kit's files are, and where it may write, wherever it is installed.

The package never writes next to its own files: an installed kit may sit in a read-only
folder, and a copied course folder must not write into the one it was copied from. Files the
kit reads ship inside the package (:data:`DATA_DIR`); files it writes go to a folder the user
chose or, by default, below the current folder (in JupyterLab: the notebook's own folder).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: The package's own folder (read only, as far as the kit is concerned).
PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir() -> Path:
    """The cohort's folder: the installed package ``fedlearn_kit.data``, or the checkout's
    ``data/`` when the kit is imported straight from a course folder (``python -m`` there)."""
    try:
        return Path(str(resources.files("fedlearn_kit.data")))
    except ModuleNotFoundError:
        return PACKAGE_DIR.parent / "data"


#: The default cohort: the course's top-level ``data/`` folder, installed as the package
#: ``fedlearn_kit.data`` (``make data`` regenerates it).
DATA_DIR = _data_dir()


def course_root() -> Path | None:
    """The course folder the kit was installed from in editable mode (``python course.py
    install`` in a checkout: it holds ``lock/`` and ``notebooks/``), or None when the kit was
    installed from a wheel (an offline bundle) and its folder holds no course."""
    folder = PACKAGE_DIR.parent
    return folder if (folder / "notebooks").is_dir() and (folder / "lock").is_dir() else None


def work_folder(*parts: str, base: str | os.PathLike[str] | None = None) -> Path:
    """A folder the kit writes to: ``base`` if given, else ``./work`` in the current folder.

    ``FEDLEARN_WORKDIR`` overrides the default base for a whole session (a shared machine,
    a read-only course folder). The folder is not created here.
    """
    root = Path(base) if base is not None else Path(
        os.environ.get("FEDLEARN_WORKDIR") or Path.cwd() / "work")
    return root.joinpath(*parts).resolve()


#: The learner's answers to the GDPR cards (format: :mod:`fedlearn_kit.gdpr.answers`).
ANSWERS_NAME = "fedlearn-answers.json"
#: Points every notebook and command at one answers file (a room server sets it per person).
ANSWERS_ENV_VAR = "FEDLEARN_ANSWERS"


def answers_path(answers_file: str | os.PathLike[str] | None = None) -> Path:
    """Where answers are kept: the argument, else $FEDLEARN_ANSWERS, else
    ``fedlearn-answers.json`` in the current folder (in JupyterLab: the notebook's folder)."""
    chosen = answers_file or os.environ.get(ANSWERS_ENV_VAR) or ANSWERS_NAME
    return Path(chosen).expanduser()


def flower_home() -> Path:
    """Where Flower keeps its state for the kit: ``$FLWR_HOME``, else ``.flwr`` in the
    current folder (never ``~/.flwr``, never the package's folder)."""
    return Path(os.environ.get("FLWR_HOME") or Path.cwd() / ".flwr").resolve()
