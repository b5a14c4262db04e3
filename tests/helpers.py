"""Helpers several test tiers share: course.py loaded as a module, a copy of the checkout."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

from fedlearn_kit.paths import ROOT


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

