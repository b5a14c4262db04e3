"""Importing the kit in a fresh Python process."""

from __future__ import annotations


def test_importing_the_kit_turns_flower_telemetry_off():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "FLWR_TELEMETRY_ENABLED"}
    out = subprocess.run([sys.executable, "-c", "import os, fedlearn_kit; "
                          "print(os.environ['FLWR_TELEMETRY_ENABLED'])"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"
