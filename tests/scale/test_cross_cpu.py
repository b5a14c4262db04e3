"""The lessons that train reproduce their stored outputs on other CPU kernels (slow tier).

The stored outputs are made on PyTorch's baseline kernels with one thread
(``authoring.PORTABLE_CPU``, docs/authoring.md), and the ordinary nbval run of the notebooks
tier compares them on the machine's own kernels and thread count. This test runs every
lesson with a cell that trains a model once more, under a kernel family the ordinary run
does not use (AVX2 on an AVX-512 machine; the baseline kernels on an AVX2 machine), with two
threads and, on x86, numpy's OpenBLAS on a generic core: every figure a lesson prints must
come out as stored. With the ordinary run, the stored outputs are thus compared under two
kernel families on every x86 machine with AVX2. The price is one more nbval run of the
lessons that train (not of the solutions), two notebooks at a time.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT, course
from tools import authoring

#: The lessons with cells that train a model (07 in a real deployment; 08 for monitoring).
TRAINING_LESSONS = ("02_local_models", "03_centralised", "04_federated", "05_what_leaks",
                    "06_privacy_defences", "07_real_deployment", "08_dpia_and_next_steps")
#: Calls that train a model in a lesson's cells (how the list above is kept complete).
TRAINING_CALLS = ("fit_local(", "fit_central(", ".fit(", "federation.run(", "run_tapped(",
                  "fit_dp(", "privacy_utility(", "shadow_models(", "local_update(",
                  "reconstruction_sweep(", "drift_table(", "run_record_dp(", "run_site_dp(",
                  "run_central_dp(", "run_secagg(", "dep.run(")


def other_capability() -> str | None:
    """A kernel family the ordinary nbval run does not use, preferring one that did not
    make the stored outputs either; None when the CPU runs only its own."""
    others = [c for c in authoring.runnable_capabilities()
              if c != authoring.native_capability()]
    portable = authoring.PORTABLE_CPU["ATEN_CPU_CAPABILITY"]
    return next((c for c in others if c != portable), others[0] if others else None)


def cross_cpu_env(capability: str) -> dict[str, str]:
    """The environment of the nbval run: other kernels, two threads, generic OpenBLAS."""
    env = authoring.kernel_env(capability, threads=2)
    if platform.machine().lower() in ("x86_64", "amd64"):
        env["OPENBLAS_CORETYPE"] = "Prescott"  # SSE3 only: numpy's most generic BLAS kernels
    return env


def run_nbval(notebooks: list[Path], env: dict[str, str], cwd: Path = ROOT
              ) -> subprocess.CompletedProcess[str]:
    """nbval on ``notebooks`` in a fresh pytest process with ``env`` (the kernel inherits it).

    Two notebooks at a time where pytest-xdist is installed: the lessons train on one
    thread, so a second core halves the wait.
    """
    parallel = (["-n", "2", "--dist", "loadfile"]
                if importlib.util.find_spec("xdist") and (os.cpu_count() or 1) >= 2 else [])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-q",
         "--tb=short", *parallel, *course.NBVAL, *map(str, notebooks)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


def test_every_lesson_that_trains_is_checked_across_cpus():
    training = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        if any(call in c.source for c in cells if c.cell_type == "code"
               for call in TRAINING_CALLS):
            training.add(path.stem)
    assert training == set(TRAINING_LESSONS), sorted(training)


def test_training_lessons_reproduce_their_stored_outputs_on_other_cpu_kernels():
    capability = other_capability()
    if capability is None:
        pytest.skip("This CPU runs only PyTorch's baseline kernels, which made the stored "
                    "outputs; the ordinary nbval run covers them.")
    notebooks = [ROOT / "notebooks" / f"{name}.ipynb" for name in TRAINING_LESSONS]
    run = run_nbval(notebooks, cross_cpu_env(capability))
    setting = (f"ATEN_CPU_CAPABILITY={capability}, 2 threads, "
               f"OPENBLAS_CORETYPE={cross_cpu_env(capability).get('OPENBLAS_CORETYPE')} "
               f"(this CPU: {authoring.native_capability()})")
    assert run.returncode == 0, (
        f"Stored outputs differ under {setting}: a figure depends on the CPU. See "
        f"docs/authoring.md, 'The same numbers on every CPU'.\n{run.stdout[-6000:]}")
    assert " passed" in run.stdout, run.stdout[-2000:]
