"""Wall time of every lesson notebook, top to bottom, at default parameters.

Runs each stored notebook in memory (the committed file is not touched) in its own folder,
as JupyterLab would, removes whatever files the run leaves there, and prints the seconds
and the load average at the start, so the figures in
tools/materials/lesson_times.yaml (README's run-time sentence) can be re-measured:

    .venv/bin/python benchmarks/lesson_run_times.py            # every lesson
    .venv/bin/python benchmarks/lesson_run_times.py 06 07      # some lessons
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run_seconds(path: Path, timeout: int = 900) -> float:
    """Seconds to execute a copy of ``path`` in a scratch folder beside the kit's data."""
    nb = nbformat.read(path, as_version=4)
    before = set(path.parent.iterdir())
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".bench-") as scratch:
        os.environ["FEDLEARN_PROGRESS"] = "0"
        os.environ["FEDLEARN_ANSWERS"] = str(Path(scratch) / "fedlearn-answers-bench.json")
        start = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        elapsed = time.perf_counter() - start
    for left in set(path.parent.iterdir()) - before:  # e.g. lesson 08's example draft
        shutil.rmtree(left) if left.is_dir() else left.unlink()
    return elapsed


def main(prefixes: list[str]) -> int:
    """Time the lessons whose file names start with one of ``prefixes`` (all if none)."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if prefixes:
        paths = [p for p in paths if p.name.startswith(tuple(prefixes))]
    cores = os.cpu_count()
    for path in paths:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        seconds = run_seconds(path)
        print(f"{path.name}: {seconds:.0f} s (load {load:.1f} at start, {cores} cores)",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
