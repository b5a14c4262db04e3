"""The offline bundle: built with one command, installed with the package index unreachable.

A module of its own so that the parallel run (`--dist loadfile`) can place its minutes of
downloading and installing beside the other modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fedlearn_kit.federation.deployment.process_control import free_port
from tests.helpers import ROOT, copy_checkout, course

#: Seconds this module takes on 2 cores (a bundle built and installed).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 120


def test_offline_bundle_installs_into_a_fresh_environment_with_no_index(tmp_path):
    bundle = tmp_path / "bundle"
    # For the Python that installs it below (the bundle's default is 3.11 only).
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    built = subprocess.run([sys.executable, ROOT / "course.py", "bundle", "--platform",
                            "linux-x86_64", "--python-version", python_version,
                            "--set", "course", "--out", bundle],
                           cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert not (ROOT / "build").exists() and "bundle ready" in built.stdout
    assert any(p.name.startswith("fedlearn_kit-") for p in (bundle / "wheels").iterdir())

    laptop = copy_checkout(tmp_path / "laptop")
    # The network is off: no pip configuration (this machine's points at local wheel
    # folders), every index and proxy an address where nothing answers.
    offline = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    offline |= {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
                "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    base = Path(getattr(sys, "_base_executable", sys.executable))
    installed = subprocess.run([base, laptop / "course.py", "install", "--from-bundle", bundle],
                               cwd=laptop, env=offline, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    python = course.venv_python(laptop / ".venv")
    ready = subprocess.run([python, "-m", "fedlearn_kit.cli", "doctor", "--skip-deployment",
                            "--lab-port", str(free_port()),
                            "--superlink-port", str(free_port())],
                           cwd=laptop, env=offline, capture_output=True, text=True)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "PASS  JupyterLab stays offline" in ready.stdout
    # The doctor's fix for a wrong package on this laptop works offline: from the bundle.
    fix = subprocess.run([python, "-c", "from fedlearn_kit import doctor; "
                          "print(doctor.install_fix())"], cwd=laptop, env=offline,
                         capture_output=True, text=True)
    assert f"install --from-bundle {bundle} --force" in fix.stdout, fix.stdout + fix.stderr
    # A participant's answers, written next to the notebooks, are found from the course
    # folder although the kit is installed in .venv (not editable) on this route.
    answers = laptop / "notebooks" / "fedlearn-answers.json"
    answers.write_text("{}")
    cleaned = subprocess.run([python, "-m", "fedlearn_kit.cli", "materials", "clean-answers",
                              "--delete"], cwd=laptop, env=offline, capture_output=True,
                             text=True)
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert str(answers.resolve()) in cleaned.stdout and not answers.exists(), cleaned.stdout
    kit = subprocess.run([python, "-c", "import fedlearn_kit; print(fedlearn_kit.__file__)"],
                         cwd=tmp_path, env=offline, capture_output=True, text=True).stdout
    assert ".venv" in kit, kit  # the package is the installed one, not the course folder's

