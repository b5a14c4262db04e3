"""`flwr run app`, typed as a learner types it in the course folder, trains what every engine does.

Flower's own local simulation (the default `local` connection: Flower starts a SuperLink of
its own and leaves it running), offline, on the checked-in app and the course's data
folder. The kit's engines run the same folder; the in-process engine is the reference here
and tests/integration/test_federation_simulation.py, test_deploy_engine.py hold the other
two to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import run
from fedlearn_kit.federation.command_runner import stop_tree
from fedlearn_kit.federation.deployment.process_control import free_port
from fedlearn_kit.federation.result import load_result
from fedlearn_kit.offline import offline_env
from tests.helpers import ROOT


def flwr() -> str:
    here = Path(sys.executable).parent
    return str(next(p for p in (here / "flwr", here / "flwr.exe") if p.exists()))


def test_flwr_run_app_gives_the_engines_weights(tmp_path: Path) -> None:
    http, control = free_port(), free_port()
    env = offline_env(FLWR_HOME=str(tmp_path / "flwr-home"),
                      FLWR_LOCAL_SUPERLINK_HTTP_API_PORT=str(http),
                      FLWR_LOCAL_CONTROL_API_PORT=str(control),
                      PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                            os.environ.get("PATH", "")]))
    result_path = tmp_path / "result.pt"
    command = [flwr(), "run", "app", "--federation-config", "num-supernodes=2",
               "--run-config", f"num-server-rounds=2 result-path='{result_path.as_posix()}'",
               "--stream"]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
    finally:  # Flower leaves its local SuperLink running; this test stops the one it started
        for conn in psutil.net_connections(kind="inet"):
            if conn.laddr and conn.laddr.port == http and conn.pid:
                stop_tree(conn.pid)
    assert done.returncode == 0 and result_path.exists(), done.stdout[-3000:]
    assert "round 2 of 2 took" in done.stdout and "missing: none" in done.stdout
    exp = kit.Experiment(num_rounds=2)  # the app's defaults: the course's data/ folder
    flower = load_result(exp, result_path, engine="flwr run")
    local = run(exp, engine="local", progress=False)
    for key, value in local.state_dict.items():
        torch.testing.assert_close(flower.state_dict[key], value, rtol=0, atol=1e-6)
    assert flower.took_part == local.took_part
    assert not (ROOT / "app" / ".flwr").exists() and "local-superlink" in \
        {p.name for p in (tmp_path / "flwr-home").iterdir()}
