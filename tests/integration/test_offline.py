"""Flower's update check, in a fresh Python process under the kit's offline switches."""

import subprocess
import sys


def test_flowers_update_check_is_off_under_the_switches():
    """Flower's own function returns before any request when the switch is set."""
    code = ("import os, threading; from fedlearn_kit import offline; offline.apply();"
            "from flwr.supercore import update_check as u;"
            "before = threading.active_count(); u.warn_if_flwr_update_available('test');"
            "print(threading.active_count() - before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "0"  # no background request thread was started
