"""The cross-CPU check: every stored figure comes out the same on other CPU kernels.

The stored outputs are made on PyTorch's baseline kernels with one thread
(``tools.authoring.PORTABLE_CPU``). In the notebooks tier every English notebook runs on the
machine's own kernels, and its Swedish copy, the same code with the same stored figures, on
another kernel family with two threads and generic OpenBLAS (``tests/conftest.py``,
``tools.authoring.cross_cpu_env``): on an AVX-512 machine the figures are thus compared on
AVX-512 and AVX2 kernels, on an AVX2 machine on AVX2 and the baseline, besides the baseline
that made them. These tests hold that arrangement to what it promises.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.conftest import NOTEBOOK_FOLDERS, is_translation, kernel_environment
from tests.helpers import ROOT
from tools import authoring

ENGLISH = sorted(p for folder in NOTEBOOK_FOLDERS for p in (ROOT / folder).glob("*.ipynb"))


def swedish(path: Path) -> Path:
    return path.parent / "sv" / path.name


def test_every_lesson_and_solution_is_also_run_on_other_kernels():
    assert ENGLISH and all(not is_translation(p) for p in ENGLISH)
    missing = [str(p.relative_to(ROOT)) for p in ENGLISH if not swedish(p).exists()]
    assert missing == [], f"no translated copy, so no cross-CPU run: {missing}"
    assert all(is_translation(swedish(p)) for p in ENGLISH)


def test_a_translation_gets_other_kernels_two_threads_and_generic_blas():
    english, translated = (kernel_environment(p) for p in (ENGLISH[0], swedish(ENGLISH[0])))
    other = authoring.cross_cpu_capability()
    assert translated.get("ATEN_CPU_CAPABILITY") == other  # None: this CPU has no other
    assert translated["OMP_NUM_THREADS"] == str(authoring.CROSS_CPU_THREADS)
    assert english.get("ATEN_CPU_CAPABILITY") != other or other is None
    assert english.get("OMP_NUM_THREADS") != str(authoring.CROSS_CPU_THREADS)


def probe(path: Path, stored: str) -> None:
    """A one-cell notebook that prints the kernel family, with ``stored`` as its output."""
    cell = nbformat.v4.new_code_cell(
        "import torch\nprint(torch.backends.cpu.get_cpu_capability())", execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text=f"{stored}\n")])
    notebook = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def test_a_figure_that_depends_on_the_cpu_fails_in_the_translated_copy(pytester, monkeypatch):
    """The tier's own conftest (loaded as a plugin, as the tier loads it) runs a translation
    on the other kernels: a stored output made on this machine's kernels passes in English
    and fails in the Swedish copy, which names the settings it ran on."""
    other = authoring.cross_cpu_capability()
    if other is None:
        pytest.skip("This CPU runs only PyTorch's baseline kernels: no other family to use.")
    # What the English copy runs on: this CPU's own kernels, or those the run sets.
    native = authoring.current_capability().upper()
    probe(pytester.path / "notebooks" / "probe.ipynb", native)
    probe(pytester.path / "notebooks" / "sv" / "probe.ipynb", native)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-p", "tests.conftest", "-p", "no:cacheprovider",
                                           "--nbval", "--nbval-current-env", "notebooks")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"*'{native}\\n' == '{other.upper()}\\n'*",
                                 f"*ran on ATEN_CPU_CAPABILITY={other}, OMP_NUM_THREADS=2*",
                                 "FAILED notebooks/sv/probe.ipynb::Cell 0*"])
