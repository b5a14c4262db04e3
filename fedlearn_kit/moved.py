"""Modules that left the package: importing one fails with the command that replaced it.

The course's maintainer tooling moved out of the installed kit into the checkout's
``tools/`` folder, so ``pip install`` installs only what the course runs. Whoever still
types an old command (``python -m fedlearn_kit.authoring ...``) gets one line naming the new
one instead of "No module named ...", and nobody silently runs a stale copy.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

#: Each module that moved out -> the command that does its job now (from a course checkout).
MOVED = {
    "fedlearn_kit.authoring": "python -m tools.authoring",
    "fedlearn_kit.gdpr.workshop": "python -m tools.materials",
}


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: asked only for names no other finder found."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """Raise, naming the new command, for a module in :data:`MOVED`; else None."""
        if fullname in MOVED:
            raise ModuleNotFoundError(
                f"{fullname} moved out of the kit: run `{MOVED[fullname]}` in the course "
                "folder", name=fullname)
        return None


def install() -> None:
    """Put the finder at the end of ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
