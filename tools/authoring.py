"""Course authoring (maintainers, from a checkout): execute and clean notebooks, generate
exercises from solutions.

``python -m tools.authoring execute notebooks solutions`` re-runs notebooks in place
and strips volatile metadata; ``python -m tools.authoring exercises`` writes
``exercises/`` from ``solutions/``. Solutions are the single source: a solution cell keeps
its starter code and marks the answer with ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
markdown cells tagged ``solution`` are left out of the exercise.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools import ROOT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BLANK = "# YOUR CODE HERE\nraise NotImplementedError()"
_SOLUTION_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}\n.*?^[ \t]*{re.escape(END)}[ \t]*$",
                             re.DOTALL | re.MULTILINE)
_KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove widget state, execution timestamps and other volatile metadata; stable cell ids."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in _KEEP_NOTEBOOK_METADATA}
    nb.metadata.get("language_info", {}).pop("version", None)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            # Widgets render from state that is not kept; their text fallback stays.
            data.pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def execute(path: Path, timeout: int = 300) -> None:
    """Run a notebook top to bottom in its own folder and save it, stripped, with outputs."""
    # A progress bar is a widget; stored without its state it would show "0%" forever.
    os.environ["FEDLEARN_PROGRESS"] = "0"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(strip(nb), path)


def to_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The exercise version of a solution notebook: answers blanked, outputs cleared."""
    nb = nbformat.from_dict(solution)
    cells = []
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = _SOLUTION_BLOCK.sub(
                lambda m: "\n".join(m.group(1) + line for line in BLANK.splitlines()),
                cell.source)
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return strip(nb)


def exercise_path(solution_path: Path) -> Path:
    """Where the exercise generated from a solution notebook lives."""
    return ROOT / "exercises" / solution_path.name


def render(nb: nbformat.NotebookNode) -> str:
    """A notebook as the exact text written to disk."""
    return nbformat.writes(nb) + "\n"


def generate_exercises() -> list[Path]:
    """Write every exercise from its solution; return the paths written."""
    written = []
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        target = exercise_path(path)
        target.write_text(render(to_exercise(nbformat.read(path, as_version=4))),
                          encoding="utf-8")
        written.append(target)
    return written


def stale_exercises() -> list[str]:
    """Exercises that differ from what their solutions generate (empty when in sync)."""
    stale = []
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    for path in solutions:
        target = exercise_path(path)
        expected = render(to_exercise(nbformat.read(path, as_version=4)))
        if not target.exists() or target.read_text(encoding="utf-8") != expected:
            stale.append(target.name)
    orphans = {p.name for p in (ROOT / "exercises").glob("*.ipynb")} - {p.name for p in solutions}
    return stale + sorted(orphans)


def main(argv: list[str] | None = None) -> int:
    """Command line of the authoring tool."""
    parser = argparse.ArgumentParser(prog="python -m tools.authoring")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-run notebooks in place and strip metadata")
    run.add_argument("paths", nargs="+", type=Path, help="notebooks, or folders of notebooks")
    sub.add_parser("exercises", help="generate exercises/ from solutions/")
    args = parser.parse_args(argv)
    if args.command == "exercises":
        for path in generate_exercises():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    for given in args.paths:
        for path in sorted(given.glob("*.ipynb")) if given.is_dir() else [given]:
            print(f"executing {path} ...", flush=True)
            execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
