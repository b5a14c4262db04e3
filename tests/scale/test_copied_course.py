"""A copy of the course folder, with its own environment, runs a lesson from itself."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat

from tests.helpers import ROOT, copy_checkout, course


def _snapshot(folder: Path) -> dict[str, float]:
    """Every file under ``folder`` and when it last changed; Python's bytecode caches are
    left out (a folder's own time changes when Python adds its __pycache__, so folders are
    left out too: a file written into one shows up as a new name)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_a_copied_course_folder_runs_a_lesson_from_itself_and_writes_only_beside_it(tmp_path):
    copy = copy_checkout(tmp_path / "moved course")
    # The copy's own environment: the installed packages are shared through a .pth file (a
    # full install takes minutes); the kit is installed from the copy, editable, as
    # `python course.py install` does.
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = course.venv_python(env)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "shared-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
                    "--no-deps", "-e", copy], check=True, capture_output=True)
    before_copy, before_here = _snapshot(copy / "fedlearn_kit"), _snapshot(ROOT / "fedlearn_kit")
    lesson_path = copy / "notebooks" / "01_synthetic_patients.ipynb"
    lesson = nbformat.read(lesson_path, as_version=4)
    lesson.cells.append(nbformat.v4.new_code_cell(
        "import fedlearn_kit; print(fedlearn_kit.__file__, kit.DATA_DIR, sep='\\n')"))
    nbformat.write(lesson, lesson_path)
    ran = subprocess.run([python, "-m", "nbconvert", "--to", "notebook", "--execute",
                          "--inplace", lesson_path], cwd=copy / "notebooks", capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr[-3000:]
    printed = nbformat.read(lesson_path, as_version=4).cells[-1].outputs[0]["text"].split("\n")
    assert Path(printed[0]) == copy / "fedlearn_kit" / "__init__.py"
    assert Path(printed[1]) == copy / "data"
    assert _snapshot(copy / "fedlearn_kit") == before_copy, "the lesson wrote into the package"
    assert _snapshot(ROOT / "fedlearn_kit") == before_here, "the copy wrote into the original"
