"""The course's app on plain Flower: Flower's own SuperLink and SuperNodes, none of the kit.

What a region's IT would run with the folder `app/` (the deployment review's D3): Flower's
commands as Flower ships them, offline, with what the README says a plain SuperLink needs
(`--disable-runtime-dependency-installation`, in an environment that has the app's
dependencies; Flower's SuperNodes install nothing by default), each SuperNode naming its own
site's file. Insecure here, on loopback: the kit's deployment tests cover TLS and node
authentication.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import run
from fedlearn_kit.federation.command_runner import new_group_options, stop_tree
from fedlearn_kit.federation.deployment.process_control import free_port
from fedlearn_kit.federation.result import load_result
from fedlearn_kit.federation.simulation import superlink_ready as answers
from fedlearn_kit.offline import offline_env
from fedlearn_kit.paths import DATA_DIR
from tests.helpers import ROOT


def command(name: str) -> str:
    here = Path(sys.executable).parent
    return str(next(p for p in (here / name, here / f"{name}.exe") if p.exists()))


def test_plain_flower_runs_the_app_and_gives_the_engines_weights(tmp_path: Path) -> None:
    home = tmp_path / "flwr-home"
    home.mkdir()
    port = free_port()
    (home / "config.toml").write_text(
        f'[superlink]\ndefault = "plain"\n\n[superlink.plain]\naddress = "127.0.0.1:{port}"\n'
        "insecure = true\n")
    env = offline_env(FLWR_HOME=str(home), PATH=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    env.pop("FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION", None)  # the flag says it instead
    no_install = "--disable-runtime-dependency-installation"
    started = []
    with (tmp_path / "processes.log").open("w") as log:
        def start(*args: str) -> None:
            started.append(subprocess.Popen(list(args), env=env, stdout=log,
                                            stderr=subprocess.STDOUT, **new_group_options()))

        try:
            start(command("flower-superlink"), "--insecure", no_install, "--host", "127.0.0.1",
                  "--port", str(port), "--control-api-address", f"127.0.0.1:{free_port()}")
            for site, name in enumerate(("site_A.csv", "site_B.csv")):
                # A SuperNode installs nothing unless --allow-runtime-dependency-installation.
                start(command("flower-supernode"), "--insecure", "--superlink",
                      f"127.0.0.1:{port}", "--host", "127.0.0.1", "--port", str(free_port()),
                      "--node-config", f"partition-id={site} num-partitions=2 "
                      f"data-path='{(DATA_DIR / name).as_posix()}'")
            deadline = time.monotonic() + 60
            while not answers(f"127.0.0.1:{port}") and time.monotonic() < deadline:
                time.sleep(0.2)
            result_path = tmp_path / "result.pt"
            done = subprocess.run(
                [command("flwr"), "run", str(ROOT / "app"), "plain", "--run-config",
                 f"num-server-rounds=1 result-path='{result_path.as_posix()}' "
                 f"data-dir='{DATA_DIR.as_posix()}'", "--stream"],
                env=env, capture_output=True, text=True, timeout=600, check=False)
        finally:
            for proc in started:
                stop_tree(proc.pid)
    assert done.returncode == 0 and result_path.exists(), done.stdout[-3000:] + done.stderr
    exp = kit.Experiment(num_rounds=1)  # the course's data/ folder is the default cohort
    plain = load_result(exp, result_path, engine="plain Flower")
    local = run(exp, engine="local", progress=False)
    for key, value in local.state_dict.items():
        torch.testing.assert_close(plain.state_dict[key], value, rtol=0, atol=1e-6)
    assert plain.took_part == local.took_part == {1: ("A", "B")}
