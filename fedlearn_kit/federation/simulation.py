"""The simulation engine: the kit's apps on Flower's simulation runtime (Ray) (lesson 04).

:func:`run_simulation` (what ``federation.run(exp, engine="simulation")`` calls) writes the
run config to a file and starts ``python -m fedlearn_kit.federation.simulation CONFIG.json``
in a subprocess with a timeout, so a hanging Ray cannot hang the notebook. That subprocess
(:func:`main`) runs the same ClientApp and ServerApp with Flower's public
``flwr.simulation.run_simulation``, one virtual SuperNode per site; the ServerApp saves its
outcome to the config's ``result-path``, which becomes the :class:`Result`.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fedlearn_kit import offline
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.apps import make_client_app, make_server_app
from fedlearn_kit.federation.result import Result, load_result, progress_bar
from fedlearn_kit.federation.subprocesses import stream
from fedlearn_kit.offline import offline_env
from fedlearn_kit.paths import flower_home

#: Flower's strategies log ``[ROUND k/N]`` when round k starts: a best-effort progress hint.
ROUND_LINE = re.compile(r"\[ROUND (\d+)/(\d+)\]")


class RayMissingError(RuntimeError):
    """Flower's simulation engine needs Ray, and Ray is not installed here."""


def check_ray() -> None:
    """Raise :class:`RayMissingError`, with what to do, unless Ray can be imported."""
    if importlib.util.find_spec("ray") is None:
        windows_313 = sys.platform == "win32" and sys.version_info >= (3, 13)
        raise RayMissingError(
            "engine='simulation' runs Flower's simulation runtime, which needs Ray, and Ray "
            "is not installed. "
            + ("Ray has no Windows wheels for Python 3.13: use engine='local' (the same "
               "apps and numbers) or engine='deployment', or a Python 3.11/3.12 course "
               "folder." if windows_313 else
               "Install it with `python course.py install --set simulation` (on Windows "
               "`py course.py install --set simulation`), or use engine='local': the same "
               "apps and the same numbers, without Ray."))


def run_simulation(exp: Experiment, config: dict[str, Any], *, progress: bool = False,
                   timeout: float = 600.0) -> Result:
    """Flower's simulation runtime (Ray), in a subprocess that cannot hang the kernel."""
    check_ray()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fedlearn-sim-") as tmp:
        result_path = Path(tmp) / "result.pt"
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config | {"result-path": str(result_path)}))
        # The offline switches (fedlearn_kit.offline): no telemetry, update check or Ray stats.
        env = offline_env(FLWR_HOME=str(flower_home()), PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "fedlearn_kit.federation.simulation", str(config_path)]
        with progress_bar(exp.num_rounds, progress, "rounds (simulation)") as to_round:

            def on_line(line: str) -> None:
                if match := ROUND_LINE.search(line):
                    to_round(int(match.group(1)) - 1)

            done = stream(command, env, timeout, on_line, what="Flower's simulation")
            if done.code != 0:
                raise RuntimeError(f"Flower's simulation failed (exit code {done.code}). Its "
                                   f"output ended with:\n{done.tail()}")
            to_round(exp.num_rounds)
        if not result_path.exists():
            raise RuntimeError("Flower's simulation ended without a result. Its output "
                               f"ended with:\n{done.tail()}")
        result = load_result(exp, result_path, "simulation", time.perf_counter() - start)
    result.report_errors()
    return result


def main(argv: list[str] | None = None) -> int:
    """Run one simulation from the run config in ``argv[0]`` (the subprocess's side)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m fedlearn_kit.federation.simulation CONFIG.json", file=sys.stderr)
        return 2
    from flwr.simulation import run_simulation as flower_run_simulation  # Ray: only here

    config = json.loads(Path(args[0]).read_text())
    # run_simulation gives the apps an empty run config, so they get it from a closure.
    flower_run_simulation(
        server_app=make_server_app(config), client_app=make_client_app(config),
        num_supernodes=int(config["num-sites"]),
        backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                        "init_args": {"include_dashboard": False}})
    return 0


if __name__ == "__main__":
    offline.apply()
    sys.exit(main())
