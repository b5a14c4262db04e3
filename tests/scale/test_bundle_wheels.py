"""What a Windows or Mac laptop's bundle would take, asked of the package index.

A module of its own: `--dist loadfile` then runs it on the other worker while
test_offline_bundle.py builds and installs a bundle (together they kept one worker busy for
the whole tier, 131 s of its 153 s).
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_every_pinned_package_has_a_wheel_for_windows_and_macos_laptops():
    """What a Windows or Mac bundle would take, checked against the package index without
    downloading it: every pin has a wheel there, or the command names the package."""
    checked = subprocess.run([sys.executable, ROOT / "course.py", "bundle", "--check",
                              "--platform", "windows-amd64", "macos-arm64",
                              "--python-version", "3.11"],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = checked.stdout + checked.stderr
    assert "windows-amd64, Python 3.11: every pinned package has a wheel" in out, out[-3000:]
    assert "macos-arm64, Python 3.11: every pinned package has a wheel" in out, out[-3000:]
    assert checked.returncode == 0, out[-3000:]
