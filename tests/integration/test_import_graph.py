"""``import fedlearn_kit`` in a fresh Python process stays light."""

from __future__ import annotations


def test_importing_the_kit_loads_no_heavy_library() -> None:
    """``import fedlearn_kit`` stays quick: torch, Flower, pandas load when first used."""
    import subprocess
    import sys

    code = ("import sys, fedlearn_kit; heavy = {'torch', 'flwr', 'pandas', 'sklearn', "
            "'matplotlib'}; print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
