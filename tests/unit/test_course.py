"""The course as files: exercises in sync with solutions, exercises runnable, lessons shaped."""

from __future__ import annotations

import nbformat
import pytest

from tests.helpers import ROOT
from tools import authoring

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_exercise_generation_blanks_answers_and_drops_solution_notes():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1\nif x:\n    ### BEGIN SOLUTION\n    y = 2\n"
                                  "    ### END SOLUTION\nprint(y)"),
        nbformat.v4.new_markdown_cell("why y is 2", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("task"),
    ])
    exercise = authoring.to_exercise(nb)
    assert [c.cell_type for c in exercise.cells] == ["code", "markdown"]
    assert exercise.cells[0].source == (
        "x = 1\nif x:\n    # YOUR CODE HERE\n    raise NotImplementedError()\nprint(y)")


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_follow_the_conventions(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "**Time:**" in first.source
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c is not tagged[0]]
    long_cells = [c.source.splitlines()[0] for c in code_cells
                  if len(c.source.splitlines()) > 15]
    assert not long_cells, f"code cells over 15 lines belong in the package: {long_cells}"
    # The parameters cell declares, one knob a line so that papermill reads each
    # (tests/unit/test_parameters.py); it runs no logic, so it may run a little longer.
    assert len(tagged[0].source.splitlines()) <= 20, "a parameters cell of over 20 knobs"
    if path.parent.name == "notebooks":
        sources = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "## Key points" in sources and "## GDPR questions at this step" in sources


def test_strip_removes_volatile_metadata():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["widgets"] = {"state": {}}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-11-23"}
    stripped = authoring.strip(nb)
    assert "widgets" not in stripped.metadata
    assert stripped.metadata["language_info"] == {"name": "python"}
    assert stripped.cells[0].metadata == {} and stripped.cells[0].id == "cell-00"


NBVAL_MARKERS = {"NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT", "NBVAL_SKIP",
                 "NBVAL_RAISES_EXCEPTION"}


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nbval_markers_are_written_so_nbval_sees_them(path):
    # nbval only honours a marker alone on its comment line; "# NBVAL_SKIP (why)" is ignored.
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for line in cell.source.splitlines():
            comment = line.strip().lstrip("#").strip()
            if line.strip().startswith("#") and comment.startswith("NBVAL"):
                assert comment in NBVAL_MARKERS, f"{path.name}: {line.strip()!r}"


def test_kernel_env_portable_pins_the_baseline_kernels_and_one_thread():
    base = {"PATH": "/bin", "ATEN_CPU_CAPABILITY": "avx512", "OMP_NUM_THREADS": "8"}
    env = authoring.kernel_env("portable", base=base)
    assert {k: env[k] for k in authoring.PORTABLE_CPU} == {
        "ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1"}
    assert env["PATH"] == "/bin" and env["FEDLEARN_PROGRESS"] == "0"
    assert base["ATEN_CPU_CAPABILITY"] == "avx512", "the caller's mapping is not changed"


def test_kernel_env_native_leaves_kernels_and_threads_to_the_machine():
    env = authoring.kernel_env("native", base={"ATEN_CPU_CAPABILITY": "avx2",
                                               "OMP_NUM_THREADS": "8", "HOME": "/h"})
    assert not set(authoring.CPU_VARIABLES) & set(env) and env["HOME"] == "/h"
    two = authoring.kernel_env("native", threads=2, base={})
    assert two["OMP_NUM_THREADS"] == two["MKL_NUM_THREADS"] == "2"
    assert "ATEN_CPU_CAPABILITY" not in two
    with pytest.raises(ValueError, match="at least one thread"):
        authoring.kernel_env("portable", threads=0, base={})


@pytest.mark.parametrize(("machine", "native", "runnable"), [
    ("x86_64", "avx512", ("default", "avx2", "avx512")),
    ("AMD64", "avx2", ("default", "avx2")),
    ("x86_64", "default", ("default",)),
    ("arm64", "default", ("default",)),
    ("aarch64", "sve256", ("default",)),
])
def test_runnable_capabilities_are_the_cpus_own_and_those_below(monkeypatch, machine, native,
                                                                 runnable):
    monkeypatch.setattr(authoring.platform, "machine", lambda: machine)
    monkeypatch.setattr(authoring, "native_capability", lambda: native)
    assert authoring.runnable_capabilities() == runnable


@pytest.mark.parametrize(("native", "set_to", "other"), [
    ("avx512", None, "avx2"),       # the English copies on AVX-512, the Swedish on AVX2
    ("avx512", "avx2", "avx512"),   # a run set to AVX2: the Swedish copies on AVX-512
    ("avx512", "default", "avx2"),  # a run set to the baseline: not the baseline again
    ("avx2", None, "default"),      # only the portable family is left
    ("avx2", "default", "avx2"),
    ("default", None, None),        # no other family: the check says so, nothing runs
])
def test_the_cross_cpu_family_differs_from_the_one_the_run_uses(monkeypatch, native, set_to,
                                                                other):
    monkeypatch.setattr(authoring.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(authoring, "native_capability", lambda: native)
    if set_to is None:
        monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    else:
        monkeypatch.setenv("ATEN_CPU_CAPABILITY", set_to)
    assert authoring.current_capability() == (set_to or native)
    assert authoring.cross_cpu_capability() == other


def test_kernel_env_refuses_kernels_the_cpu_lacks(monkeypatch):
    # ATEN_CPU_CAPABILITY=avx512 on an AVX2 CPU would stop the kernel: illegal instruction.
    monkeypatch.setattr(authoring.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(authoring, "native_capability", lambda: "avx2")
    assert authoring.kernel_env("avx2", base={})["ATEN_CPU_CAPABILITY"] == "avx2"
    with pytest.raises(ValueError, match="default, avx2 kernels"):
        authoring.kernel_env("avx512", base={})
    with pytest.raises(SystemExit):
        authoring.main(["execute", "--cpu", "avx512", "notebooks"])
