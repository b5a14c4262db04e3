"""Course authoring (maintainers, from a checkout): execute and clean notebooks, generate
exercises from solutions.

``python -m tools.authoring execute notebooks solutions`` re-runs notebooks in place and
strips volatile metadata, in a kernel on PyTorch's baseline CPU kernels and one thread
(:data:`PORTABLE_CPU`, see ``docs/authoring.md``); ``python -m tools.authoring exercises``
writes ``exercises/`` from ``solutions/``. Solutions are the single source: a solution cell
keeps its starter code and marks the answer with ``### BEGIN SOLUTION`` /
``### END SOLUTION``; markdown cells tagged ``solution`` are left out of the exercise.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools import ROOT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BLANK = "# YOUR CODE HERE\nraise NotImplementedError()"
_SOLUTION_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}\n.*?^[ \t]*{re.escape(END)}[ \t]*$",
                             re.DOTALL | re.MULTILINE)
_KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")

#: PyTorch's CPU kernel families (``ATEN_CPU_CAPABILITY``) on x86, from the baseline up.
#: Each CPU runs its best by default; a machine can also run every family below its own.
X86_CAPABILITIES = ("default", "avx2", "avx512")

#: How ``execute`` runs a kernel by default, so the stored outputs are the portable ones:
#: PyTorch's baseline kernels ("default": the one family every CPU and every torch build
#: has; forcing "avx2" on a CPU without AVX2 stops with an illegal instruction) and one
#: thread (every machine has one; the kit trains on one thread anyway). No learner's x86
#: machine picks "default" by itself, so the normal nbval run on any AVX2 or AVX-512 machine
#: already compares the stored outputs with other kernels than the ones that made them.
PORTABLE_CPU: dict[str, str] = {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1",
                                "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
#: The settings ``--cpu native`` leaves to the machine instead.
CPU_VARIABLES = tuple(PORTABLE_CPU)


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove widget state, execution timestamps and other volatile metadata; stable cell ids."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in _KEEP_NOTEBOOK_METADATA}
    nb.metadata.get("language_info", {}).pop("version", None)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
        # Tags and JupyterLab's collapsed source (tools/reading_path.py) are the author's.
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags", "jupyter")}
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            # Widgets render from state that is not kept; their text fallback stays.
            data.pop("application/vnd.jupyter.widget-view+json", None)
    return nb


@lru_cache(maxsize=1)
def native_capability() -> str:
    """The PyTorch kernel family this CPU picks by itself, e.g. ``"avx512"`` or ``"default"``.

    Asked of a fresh Python without ``ATEN_CPU_CAPABILITY`` (this process may have it set).
    """
    env = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    out = subprocess.run([sys.executable, "-c", "import torch; "
                          "print(torch.backends.cpu.get_cpu_capability())"],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.strip().lower()


def runnable_capabilities() -> tuple[str, ...]:
    """The values of ``ATEN_CPU_CAPABILITY`` this machine can run: its own and those below.

    Only "default" outside x86 (PyTorch has no AVX kernels there), and on an x86 CPU
    without AVX2.
    """
    native = native_capability()
    if platform.machine().lower() not in ("x86_64", "amd64") or native not in X86_CAPABILITIES:
        return ("default",)
    return X86_CAPABILITIES[:X86_CAPABILITIES.index(native) + 1]


def kernel_env(cpu: str = "portable", threads: int | None = None,
               base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a notebook kernel that runs on ``cpu``'s kernels.

    ``cpu``: "portable" (:data:`PORTABLE_CPU`), "native" (the machine's own kernels and
    threads) or a value of ``ATEN_CPU_CAPABILITY`` this machine can run (e.g. "avx2");
    ``threads`` overrides the thread count. Raises ``ValueError`` for a kernel family
    the CPU does not have, which would crash the kernel with an illegal instruction.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in CPU_VARIABLES}
    # A progress bar is a widget; stored without its state it would show "0%" forever.
    env["FEDLEARN_PROGRESS"] = "0"
    if cpu == "portable":
        env.update(PORTABLE_CPU)
    elif cpu != "native":
        if cpu not in runnable_capabilities():
            raise ValueError(f"cpu={cpu!r}: this machine runs PyTorch's "
                             f"{', '.join(runnable_capabilities())} kernels; choose one of "
                             "those, 'portable' or 'native'.")
        env["ATEN_CPU_CAPABILITY"] = cpu
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads={threads}: need at least one thread.")
        env.update({k: str(threads) for k in CPU_VARIABLES if k.endswith("_NUM_THREADS")})
    return env


def current_capability() -> str:
    """The kernel family a kernel started from this environment runs on: the value of
    ``ATEN_CPU_CAPABILITY`` where the run sets it, else the CPU's own."""
    return os.environ.get("ATEN_CPU_CAPABILITY", "").strip().lower() or native_capability()


def cross_cpu_capability() -> str | None:
    """A kernel family the ordinary test run does not use, for the cross-CPU check.

    Not the one the English notebooks run on (:func:`current_capability`: the machine's
    own, or the family the run sets) and, where there is a choice, not the portable one that
    made the stored outputs: AVX2 on an AVX-512 machine, the baseline on an AVX2 machine,
    AVX-512 for a run set to AVX2 on an AVX-512 machine; None when there is no other.
    """
    others = [c for c in runnable_capabilities() if c != current_capability()]
    portable = PORTABLE_CPU["ATEN_CPU_CAPABILITY"]
    return next((c for c in others if c != portable), others[0] if others else None)


#: The thread count of the cross-CPU run: not the portable settings' one thread.
CROSS_CPU_THREADS = 2


def cross_cpu_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a kernel for the cross-CPU check (docs/authoring.md): another
    kernel family (:func:`cross_cpu_capability`; the machine's own where it has no other),
    two threads and, on x86, numpy's OpenBLAS on its most generic core."""
    env = kernel_env(cross_cpu_capability() or "native", threads=CROSS_CPU_THREADS, base=base)
    if platform.machine().lower() in ("x86_64", "amd64"):
        env["OPENBLAS_CORETYPE"] = "Prescott"  # SSE3 only: numpy's most generic BLAS kernels
    return env


def execute(path: Path, timeout: int = 300, cpu: str = "portable",
            threads: int | None = None) -> None:
    """Run a notebook top to bottom in its own folder and save it, stripped, with outputs.

    By default on the portable CPU settings (:data:`PORTABLE_CPU`); ``cpu`` and
    ``threads`` as for :func:`kernel_env`.
    """
    env = kernel_env(cpu, threads)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(env=env)
    nbformat.write(strip(nb), path)


#: An exercise's heading in a solution notebook ("### Exercise 5.7 · The EDPB's ...").
_EXERCISE_HEADING = re.compile(r"^#{2,4} Exercise (\d+\.\d+) · ", re.MULTILINE)
#: Words of an exercise's text that promise the learner starter code to fill in.
_PROMISES_TEMPLATE = re.compile(r"\btemplate\b", re.IGNORECASE)
#: A place in a template where the learner writes (Python's Ellipsis, ``...``).
_PLACEHOLDER = re.compile(r"(?<![.\w])\.\.\.(?![.\w])")


class ExerciseError(ValueError):
    """A solution notebook from which no honest exercise can be generated."""


def _blank(source: str) -> str:
    return _SOLUTION_BLOCK.sub(
        lambda m: "\n".join(m.group(1) + line for line in BLANK.splitlines()), source)


def template_problems(cells: list[nbformat.NotebookNode]) -> list[str]:
    """Exercises whose text promises a template the generated exercise does not have.

    ``cells`` are an exercise's cells (answers already blanked). An exercise whose text
    says "template" must give, in its code cells before the next exercise, starter code
    with ``...`` where the learner writes, outside the solution block: a template inside
    the block is removed together with the answer (exercise 5.7 once said "fill in the
    template below" above an empty cell).
    """
    problems = []
    for i, cell in enumerate(cells):
        heading = _EXERCISE_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if heading is None or not _PROMISES_TEMPLATE.search(cell.source):
            continue
        code = []
        for later in cells[i + 1:]:
            if later.cell_type == "markdown" and _EXERCISE_HEADING.search(later.source):
                break
            if later.cell_type == "code":
                code.append(later.source.replace(BLANK, ""))
        if not any(_PLACEHOLDER.search(source) for source in code):
            problems.append(
                f"Exercise {heading.group(1)} promises a template, but its exercise has none: "
                f"write the template before {BEGIN}, with ... where the learner fills in, "
                f"and the filled-in version inside the block.")
    return problems


def to_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The exercise version of a solution notebook: answers blanked, outputs cleared.

    Raises :class:`ExerciseError` when an exercise's text promises a template that would
    not survive (see :func:`template_problems`).
    """
    nb = nbformat.from_dict(solution)
    cells = []
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.source = _blank(cell.source)
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    problems = template_problems(cells)
    if problems:
        raise ExerciseError("\n".join(problems))
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
    run.add_argument("--cpu", default="portable",
                     help="PyTorch's kernels: 'portable' (default: the baseline kernels, one "
                          "thread, as docs/authoring.md explains), 'native', or a value of "
                          "ATEN_CPU_CAPABILITY such as 'avx2'")
    run.add_argument("--threads", type=int, default=None,
                     help="torch/BLAS threads (default: 1 with --cpu portable, else the "
                          "machine's)")
    sub.add_parser("exercises", help="generate exercises/ from solutions/")
    args = parser.parse_args(argv)
    if args.command == "exercises":
        for path in generate_exercises():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    try:
        kernel_env(args.cpu, args.threads)
    except ValueError as error:
        parser.error(str(error))
    for given in args.paths:
        for path in sorted(given.glob("*.ipynb")) if given.is_dir() else [given]:
            print(f"executing {path} (cpu {args.cpu}) ...", flush=True)
            execute(path, cpu=args.cpu, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
