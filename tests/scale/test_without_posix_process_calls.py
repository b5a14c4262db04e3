"""The deployment without POSIX-only process calls, as on Windows.

``os.fork``, ``os.killpg``, ``os.getpgid`` and ``os.setsid`` are removed from this test
process: the kit must then start, watch and stop everything with psutil and fall back to
Flower's own subprocess isolation instead of its warm executor (which forks). (The Ray
simulation is not repeated here: the kit starts no process of its own for it beyond what
the deployment uses, and tests/integration/test_federation_simulation.py runs it.)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment, run

POSIX_ONLY = ("fork", "killpg", "getpgid", "setsid")
TINY = kit.Experiment(patients_per_site=150, num_rounds=1, seed=4)


@pytest.fixture(autouse=True)
def no_posix_process_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in POSIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)
    assert not any(hasattr(os, name) for name in POSIX_ONLY)
    warnings.simplefilter("ignore")  # the one-time "falls back" warning


def test_deployment_up_run_down(tmp_path: Path) -> None:
    with deployment.up(TINY.num_sites, tmp_path) as dep:
        assert dep.isolation == "subprocess"  # Flower's own isolation: no fork needed
        assert not any("executor" in p.name for p in dep.processes)
        result = run(TINY, engine="deployment", deployment=dep, progress=False, timeout=300)
        pids = [p.pid for p in dep.processes]
    local = run(TINY, engine="local", progress=False)
    for key, value in local.state_dict.items():
        torch.testing.assert_close(result.state_dict[key], value, rtol=0, atol=1e-6)
    report = deployment.down(tmp_path)
    assert report["ports_still_open"] == []
    import psutil

    assert not [pid for pid in pids if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
