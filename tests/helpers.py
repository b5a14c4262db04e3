"""Helpers several test tiers share: course.py loaded as a module, a copy of the checkout."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

#: The course checkout the tests run in (the tests read its notebooks, docs and lock).
ROOT = Path(__file__).resolve().parents[1]
#: pyproject.toml's [project] table: the one place versions are chosen.
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pinned(name: str) -> str:
    """The version pyproject.toml pins the package ``name`` to."""
    for line in PROJECT["dependencies"]:
        requirement = Requirement(line)
        if requirement.name == name:
            return next(iter(requirement.specifier)).version
    raise KeyError(f"pyproject.toml does not pin {name}")


#: The torch version the course pins (its CPU build is ``{TORCH}+cpu`` on Linux, Windows).
TORCH = pinned("torch")
#: The Python versions requires-python allows, as (major, minor).
PYTHONS = tuple((3, minor) for minor in range(8, 30)
                if f"3.{minor}.0" in SpecifierSet(PROJECT["requires-python"]))


def _load_course():
    """course.py is a script, not a package module: load it from its file."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = _load_course()


def copy_checkout(target: Path) -> Path:
    """The course's committed files (``git ls-files``) copied into ``target``."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target

