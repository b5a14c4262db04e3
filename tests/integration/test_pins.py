"""The kit imported straight from a course folder, in a fresh Python process."""

from __future__ import annotations

from tests.helpers import ROOT


def test_the_cohort_is_found_when_the_kit_is_imported_straight_from_a_course_folder(tmp_path):
    """``python -m fedlearn_kit...`` run inside a course folder imports the folder's package,
    where ``fedlearn_kit.data`` is not a subpackage: DATA_DIR must still be the folder's data/."""
    import shutil
    import subprocess
    import sys

    for folder in ("fedlearn_kit", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    printed = subprocess.run(  # -S: no site-packages, so no installed fedlearn_kit.data
        [sys.executable, "-S", "-c", "from fedlearn_kit import paths; print(paths.DATA_DIR)"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert printed == str(tmp_path / "data")
