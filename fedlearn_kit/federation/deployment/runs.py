"""Training on a running deployment: ``flwr run --stream``, progress, a site that drops out.

:func:`run_on` writes the run's Flower app folder (:func:`~fedlearn_kit.federation.config.
write_flower_app`, the same folder ``flwr run DIR`` would use by hand), submits it with
``flwr run --stream`` and follows the stream. Two signals come from the kit's own
deployment ServerApp (:mod:`.server_app`), not from Flower's log wording: the line it
prints when a round's evaluation replies are in moves the progress bar and, with
``drop_site``, switches that site's SuperNode off at the chosen round. The ServerApp saves
the outcome to the run's ``result.pt``, which becomes the :class:`Result`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import settings
from fedlearn_kit.federation.apps import check_min_sites
from fedlearn_kit.federation.config import write_flower_app
from fedlearn_kit.federation.deployment.processes import (
    CONNECTION,
    DeploymentError,
    flower_command,
)
from fedlearn_kit.federation.deployment.server_app import ANNOUNCE, round_done
from fedlearn_kit.federation.result import Result, load_result, progress_bar, progress_default
from fedlearn_kit.federation.subprocesses import stream

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment.state import Deployment


#: How ``flwr run --stream`` names the run it started (best effort: only used to stop it).
_RUN_ID = re.compile(r"run_id `?(\d+)")


def stop_run(dep: Deployment, run_id: str | None) -> None:
    """Stop run ``run_id`` in the SuperLink too (``flwr stop``), after the kit gave up on it.

    Killing ``flwr run`` only ends the stream; the ServerApp would go on in the SuperLink.
    """
    if run_id is None:
        return
    command = [flower_command("flwr"), "stop", run_id, CONNECTION]
    subprocess.run(command, env=dep.env(), capture_output=True, timeout=60, check=False)


def run_on(dep: Deployment, exp: Experiment, *, min_sites: int = 1, server_eval: bool = True,
           timeout: float = settings.RUN_TIMEOUT, progress: bool | None = None,
           drop_site: int | None = None, drop_after_round: int = 1,
           connect_timeout: float = 60.0, echo: bool = True) -> Result:
    """Train ``exp`` on the deployment ``dep`` (``dep.run(exp, ...)``); a Result.

    ``min_sites``, ``server_eval`` and ``progress`` mean what they mean for
    :func:`fedlearn_kit.federation.run`.
    ``drop_site``: once round ``drop_after_round``'s evaluation replies have reached the
    ServerApp, that site's SuperNode is stopped (SIGTERM, as ``kill PID`` does), so it
    misses rounds ``drop_after_round + 1`` on and its earlier replies all count. The
    ServerApp waits for the kit's word (a file in the run folder) before the next round,
    so the site cannot pick up that round's message first.
    ``timeout``: seconds ``flwr run`` may take; after that it is stopped with
    :class:`TimeoutError` (the deployment stays up; the run is stopped in the SuperLink
    too). ``echo``: print the ServerApp's notes (countdown for absent sites, each failed
    reply with its cause) to stderr as they come.
    """
    if exp.num_sites != dep.num_sites:
        raise ValueError(f"The experiment has num_sites={exp.num_sites}, the deployment "
                         f"{dep.num_sites} SuperNodes; start one SuperNode per site.")
    check_min_sites(min_sites, exp.num_sites)
    if drop_site is not None and not 0 <= drop_site < dep.num_sites:
        raise ValueError(f"drop_site={drop_site}: choose a site from 0 to "
                         f"{dep.num_sites - 1}.")
    dep.check_sites(min_sites)
    dep.wake()  # idle SuperNodes and executors on this machine start asking for work now
    run_dir = dep.new_run_dir()
    result_path = run_dir / "result.pt"
    result_path.unlink(missing_ok=True)
    hold_file = run_dir / f"site-{drop_site}-stopped"
    hold: dict[str, int | str] = ({} if drop_site is None else
            {"hold_after_round": drop_after_round, "hold_file": str(hold_file)})
    app = write_flower_app(run_dir / "app", exp, min_sites=min_sites, server_eval=server_eval,
                           result_path=str(result_path), connect_timeout=connect_timeout,
                           **hold)
    command = [flower_command("flwr"), "run", str(app.parent), CONNECTION, "--stream"]
    start_time = time.perf_counter()
    log_path = run_dir / "flwr-run.log"
    with progress_bar(exp.num_rounds, progress_default(progress),
                      "rounds (deployment)") as to_round:

        run_id: list[str] = []

        def on_line(line: str) -> None:
            if not run_id and (found := _RUN_ID.search(line)):
                run_id.append(found.group(1))
            server_round = round_done(line)
            if server_round is None:
                # The ServerApp's own notes: countdown, each round (who replied, who is
                # missing, its time), errors: the facilitator sees the run as it happens.
                if echo and ANNOUNCE in line:
                    print(line[line.index(ANNOUNCE):].rstrip(), file=sys.stderr, flush=True)
                return
            to_round(server_round)
            if drop_site is not None and server_round == drop_after_round:
                dep.stop_site(drop_site)
                hold_file.touch()  # the ServerApp, paused after this round, goes on

        try:
            done = stream(command, dep.env(), timeout, on_line, log_path=log_path,
                          what="`flwr run`", linger=0.0)
        except TimeoutError:
            stop_run(dep, run_id[0] if run_id else None)
            raise
        to_round(exp.num_rounds)
    if done.code != 0 or not result_path.exists():
        raise DeploymentError(f"`flwr run` ended (exit code {done.code}) without a result. "
                              f"Its output ({log_path}) ended with:\n{done.tail()}")
    return load_result(exp, result_path, "deployment", time.perf_counter() - start_time)
