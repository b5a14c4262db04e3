"""Where the kit's own files are, wherever a notebook runs from."""

from pathlib import Path

#: The repository folder (the kit is installed in editable mode from it).
ROOT = Path(__file__).resolve().parents[1]
#: The committed default cohort (``make data`` regenerates it).
DATA_DIR = ROOT / "data"
