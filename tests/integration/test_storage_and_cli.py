"""The installed command line, run as its own process."""

from __future__ import annotations

import subprocess
import sys

from fedlearn_kit.sites import MAX_SITES


def test_cli_entry_point_is_installed(tmp_path):
    too_many = str(MAX_SITES + 1)
    result = subprocess.run([sys.executable, "-m", "fedlearn_kit.cli", "data", "--sites",
                             too_many, "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and f"1-{MAX_SITES}" in result.stderr
