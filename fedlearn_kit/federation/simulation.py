"""The simulation engine: ``flwr run`` on Flower's simulation runtime (Ray) (lesson 04).

:func:`run_simulation` (what ``federation.run(exp, engine="simulation")`` calls) does what a
learner does by hand with ``flwr run app``, on a SuperLink of its own: it starts
``flower-superlink --simulation`` on free loopback ports with a Flower home in a temporary
folder, writes the experiment as the app's run config, runs ``flwr run APP CONNECTION
--run-config FILE --federation-config "num-supernodes=N" --stream`` with a timeout, and
stops the SuperLink and everything it started afterwards. The app's ServerApp saves its
model and round log to the run config's ``result-path``, which becomes the :class:`Result`.

A learner's own ``flwr run app`` uses Flower's managed local SuperLink instead (Flower
starts it on first use and leaves it running); the kit starts and stops its own, so no
process outlives a run and two courses on one machine never share a port.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import flower_app, settings
from fedlearn_kit.federation.command_runner import new_group_options, stop_tree, stream
from fedlearn_kit.federation.config import check_min_sites, run_config, write_run_config
from fedlearn_kit.federation.result import Result, load_result, progress_bar, round_done
from fedlearn_kit.federation.task import site_files
from fedlearn_kit.i18n import _
from fedlearn_kit.offline import offline_env

#: The name of the SuperLink connection the kit writes into its Flower home.
CONNECTION = "course-simulation"


class RayMissingError(RuntimeError):
    """Flower's simulation engine needs Ray, and Ray is not installed here."""


def check_ray() -> None:
    """Raise :class:`RayMissingError`, with what to do, unless Ray can be imported."""
    if importlib.util.find_spec("ray") is None:
        windows_313 = sys.platform == "win32" and sys.version_info >= (3, 13)
        raise RayMissingError(_(
            "engine='simulation' runs Flower's simulation runtime, which needs Ray, and Ray "
            "is not installed. Ray has no Windows wheels for Python 3.13: use engine='local' "
            "(the same apps and numbers) or engine='deployment', or a Python 3.11/3.12 course "
            "folder.") if windows_313 else _(
            "engine='simulation' runs Flower's simulation runtime, which needs Ray, and Ray "
            "is not installed. Install it with `python course.py install --set simulation` "
            "(on Windows `py course.py install --set simulation`), or use engine='local': the "
            "same apps and the same numbers, without Ray."))


def connection_config(address: str) -> str:
    """A Flower ``config.toml`` whose default connection is the SuperLink at ``address``."""
    return (f'[superlink]\ndefault = "{CONNECTION}"\n\n[superlink.{CONNECTION}]\n'
            f'address = "{address}"\ninsecure = true\n')


def superlink_ready(address: str) -> bool:
    """True once the SuperLink at ``address`` answers its health check (loopback, no proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    try:
        with opener.open(f"http://{address}/health", timeout=1.0) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def run_simulation(exp: Experiment, *, app: str | Path | None = None, min_sites: int = 1,
                   server_eval: bool = True, progress: bool = False, timeout: float = 600.0
                   ) -> Result:
    """Run the app folder with ``flwr run`` on Flower's simulation runtime, one virtual
    SuperNode per site; ``timeout`` bounds the whole run, SuperLink start included."""
    # Flower's commands and free ports: the deployment's helpers, imported only here so an
    # in-process run loads nothing of the deployment.
    from fedlearn_kit.federation.deployment.process_control import flower_command, free_port

    check_ray()
    check_min_sites(min_sites, exp.num_sites)
    folder = flower_app.app_folder(app)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fedlearn-sim-") as tmp:
        work = Path(tmp)
        home = work / "flwr"
        home.mkdir()
        port, control = free_port(), free_port()
        address = f"127.0.0.1:{port}"
        (home / "config.toml").write_text(connection_config(address), encoding="utf-8")
        # The offline switches (fedlearn_kit.offline): no telemetry, update check, Ray
        # statistics or dependency installation; Flower's home inside the run's folder.
        # Flower's commands start more of Flower's commands (flower-superexec,
        # flwr-simulation) by name: this Python's folder goes first on PATH.
        env = offline_env(FLWR_HOME=str(home), PYTHONUNBUFFERED="1")
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        with (work / "superlink.log").open("w") as log:
            superlink = subprocess.Popen(
                [flower_command("flower-superlink"), "--insecure", "--simulation",
                 "--host", "127.0.0.1", "--port", str(port),
                 "--control-api-address", f"127.0.0.1:{control}"],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                **new_group_options())
        try:
            while not superlink_ready(address):
                if superlink.poll() is not None or time.perf_counter() - start > \
                        settings.SUPERLINK_START_TIMEOUT:
                    raise RuntimeError(_(
                        "Flower's simulation SuperLink did not start (exit code {code}). Its "
                        "log ends with:\n{tail}").format(
                        code=superlink.poll(),
                        tail=(work / "superlink.log").read_text(errors="replace")[-3000:]))
                time.sleep(settings.READY_POLL)
            result_path = work / "result.pt"
            config = write_run_config(work / "run-config.toml", run_config(
                exp, min_sites=min_sites, server_eval=server_eval,
                data_dir=str(site_files(exp)), result_path=str(result_path)))
            command = [flower_command("flwr"), "run", str(folder), CONNECTION,
                       "--run-config", str(config), "--federation-config",
                       f"num-supernodes={exp.num_sites} client-resources-num-cpus=1",
                       "--stream"]
            with progress_bar(exp.num_rounds, progress, "rounds (simulation)") as to_round:

                def on_line(line: str) -> None:
                    if (server_round := round_done(line)) is not None:
                        to_round(server_round)

                done = stream(command, env, max(1.0, timeout - (time.perf_counter() - start)),
                              on_line, log_path=work / "flwr-run.log",
                              what="Flower's simulation")
            if done.code != 0 or not result_path.exists():
                raise RuntimeError(_("Flower's simulation ended (exit code {code}) without a "
                                     "result. Its output ended with:\n{tail}").format(
                    code=done.code, tail=done.tail()))
            result = load_result(exp, result_path, "simulation", time.perf_counter() - start)
        finally:
            stop_tree(superlink.pid)
    result.report_errors()
    return result
