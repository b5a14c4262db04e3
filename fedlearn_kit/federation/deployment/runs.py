"""Training on a running deployment: ``flwr run APP --stream``, progress, a site that drops out.

:func:`run_on` runs the course's app folder on the deployment exactly as a learner would by
hand: it writes each local site's patients to the file its SuperNode's node config names
(``data-path``), writes the experiment as the app's run config (a TOML file), and submits
the folder with ``flwr run APP CONNECTION --run-config FILE --stream``. It follows the
stream for one signal of the app's own (its round log's "round K of N done" line, not
Flower's log wording), which moves the progress bar and, with ``drop_site``, switches that
site's SuperNode off at the chosen round. The app's ServerApp saves the model and its
round log to the run's ``result.pt``, which becomes the :class:`Result`.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import _flower, flower_app, settings
from fedlearn_kit.federation.command_runner import stream
from fedlearn_kit.federation.config import check_min_sites, run_config, write_run_config
from fedlearn_kit.federation.deployment import registration
from fedlearn_kit.federation.deployment.process_control import (
    CONNECTION,
    DeploymentError,
    flower_command,
)
from fedlearn_kit.federation.result import (
    Result,
    load_result,
    progress_bar,
    progress_default,
    round_done,
)
from fedlearn_kit.federation.task import site_files
from fedlearn_kit.i18n import _

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment.state import Deployment

#: The app's round log prints these lines for people (``flwr run --stream`` carries them):
#: a site that failed, the countdown for absent sites, the start without them.
NOTES = ("failed:", "waiting for sites:", "sites connected; starting without")


#: The app's round line (its round log's ``ROUND_DONE``), as ``flwr run --stream`` carries it.
_ROUND_LINE = re.compile(r"^round (\d+) of (\d+) took ([\d.]+) s; trained: (.*); missing: (.*)$")
_SITE = re.compile(r"^site (\d+)$")
#: The app's other notes for people (:data:`NOTES`), as its round log prints them.
_FAILED_LINE = re.compile(r"^round (\d+) \((\w+)\): site (\S+) failed: (.*)$")
_WAITING_LINE = re.compile(r"^waiting for sites: (\d+) of (\d+) connected; starting in (\d+) s "
                           r"with those present$")
_WITHOUT_LINE = re.compile(r"^(\d+) of (\d+) sites connected; starting without the others "
                           r"\(they are logged as missing\)$")


def _sites_text(text: str) -> str:
    """The app's ``site 0, site 2`` (or ``none``) in the learner's language."""
    sites = [_SITE.match(part.strip()) for part in text.split(",")]
    if text.strip() == "none" or not all(sites):
        return _("none") if text.strip() == "none" else text
    return ", ".join(_("site {site}").format(site=m.group(1)) for m in sites if m)


def round_note(line: str) -> str:
    """The app's round line in the learner's language (any other line as it is).

    The app runs in Flower's processes and prints English (its lines are what the engines
    follow); the kit translates the line it echoes to the learner.
    """
    text = line.strip()
    if match := _ROUND_LINE.match(text):
        server_round, rounds, seconds, trained, missing = match.groups()
        return _("round {round} of {rounds} took {seconds} s; trained: {trained}; missing: "
                 "{missing}").format(round=server_round, rounds=rounds, seconds=seconds,
                                     trained=_sites_text(trained),
                                     missing=_sites_text(missing))
    if match := _FAILED_LINE.match(text):
        server_round, stage, site, reason = match.groups()
        return _("round {round} ({stage}): site {site} failed: {reason}").format(
            round=server_round, stage=stage, site=site, reason=reason)
    if match := _WAITING_LINE.match(text):
        connected, total, seconds = match.groups()
        return _("waiting for sites: {connected} of {total} connected; starting in {seconds} s "
                 "with those present").format(connected=connected, total=total,
                                              seconds=seconds)
    if match := _WITHOUT_LINE.match(text):
        connected, total = match.groups()
        return _("{connected} of {total} sites connected; starting without the others (they "
                 "are logged as missing)").format(connected=connected, total=total)
    return line.rstrip()


def commands(dep: Deployment, app: str | Path | None = None) -> list[str]:
    """The commands this deployment runs, as a person would type them in the course folder.

    ``flower-superlink`` and one ``flower-supernode`` per site, with their TLS and node
    authentication flags (the kit starts them through a launcher that only changes timing
    settings, :mod:`.flower_launcher`), then the ``flwr run`` of the latest run (or of the
    next one). Paths inside the course folder are shown relative to it.
    """
    from fedlearn_kit.paths import course_root

    root = course_root()
    prefixes = [] if root is None else [f"{root.as_posix()}/", f"{root}{os.sep}"]

    def shown(arguments: list[str]) -> str:
        words = []
        for word in arguments:
            for prefix in prefixes:
                word = word.replace(prefix, "")
            words.append(word)
        return " ".join(_quoted(word) for word in words)

    lines = []
    for proc in dep.processes:
        if proc.name == "superlink" or proc.name.startswith("supernode site"):
            role = "superlink" if proc.name == "superlink" else "supernode"
            arguments = proc.command[proc.command.index(role) + 1:]
            lines.append(shown([f"flower-{role}", *arguments]))
    config = dep.workdir / "runs" / f"run-{max(dep.runs, 1)}" / "run-config.toml"
    lines.append(shown(["flwr", "run", str(flower_app.app_folder(app)), CONNECTION,
                        "--run-config", str(config), "--stream"]))
    return lines


def _quoted(word: str) -> str:
    """A word of a command as typed in a shell: double quotes around spaces (POSIX shells
    and PowerShell read them alike), shell quoting for anything stranger."""
    if word and not any(ch in word for ch in " \t\"'$`\\;&|<>()*?!"):
        return word
    if not any(ch in word for ch in '"$`\\'):
        return f'"{word}"'
    return shlex.quote(word)


def stop_unfinished_runs(dep: Deployment) -> list[str]:
    """Stop every run the SuperLink has not finished (``flwr ls``, then ``flwr stop``).

    Killing ``flwr run`` only ends the stream; the ServerApp would go on in the SuperLink.
    The run ids come from ``flwr ls --format json``. Returns the ids stopped.
    """
    listed = subprocess.run([flower_command("flwr"), "ls", CONNECTION, "--format", "json"],
                            env=dep.env(), capture_output=True, text=True,
                            timeout=settings.FLWR_LIST_TIMEOUT, check=False)
    try:
        run_ids = _flower.unfinished_run_ids(listed.stdout)
    except ValueError:
        return []
    for run_id in run_ids:
        subprocess.run([flower_command("flwr"), "stop", run_id, CONNECTION], env=dep.env(),
                       capture_output=True, timeout=settings.FLWR_LIST_TIMEOUT, check=False)
    return run_ids


def write_site_data(dep: Deployment, exp: Experiment) -> None:
    """Give every site of a deployment on this machine the experiment's patients.

    Each SuperNode reads the file its node config names (``data-path``, in the site's own
    folder); a workshop room's SuperNodes run on the participants' laptops and keep theirs.
    """
    if dep.role != "local":
        return
    source = site_files(exp)
    for i, site in enumerate(exp.sites()):
        target = dep.site_data(i)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((source / f"site_{site.name}.csv").read_bytes())


def run_on(dep: Deployment, exp: Experiment, *, app: str | Path | None = None,
           min_sites: int = 1, server_eval: bool = True,
           timeout: float = settings.RUN_TIMEOUT, progress: bool | None = None,
           drop_site: int | None = None, drop_after_round: int = 1,
           connect_timeout: float = 60.0, echo: bool = True) -> Result:
    """Train ``exp`` on the deployment ``dep`` (``dep.run(exp, ...)``); a Result.

    ``app``, ``min_sites``, ``server_eval`` and ``progress`` mean what they mean for
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
        raise ValueError(_("The experiment has num_sites={sites}, the deployment {nodes} "
                           "SuperNodes; start one SuperNode per site.").format(
            sites=exp.num_sites, nodes=dep.num_sites))
    check_min_sites(min_sites, exp.num_sites)
    if drop_site is not None and not 0 <= drop_site < dep.num_sites:
        raise ValueError(_("drop_site={site}: choose a site from 0 to {last}.").format(
            site=drop_site, last=dep.num_sites - 1))
    folder = flower_app.app_folder(app)
    dep.check_sites(min_sites)
    write_site_data(dep, exp)
    dep.wake()  # idle SuperNodes and executors on this machine start asking for work now
    run_dir = dep.new_run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    result_path = run_dir / "result.pt"
    result_path.unlink(missing_ok=True)
    hold_file = run_dir / f"site-{drop_site}-stopped"
    hold: dict[str, int | str] = ({} if drop_site is None else
            {"hold_after_round": drop_after_round, "hold_file": str(hold_file)})
    # The site each registered key belongs to: the app's round log refuses a node that
    # announces another (a participant holding another site's key).
    node_ids = {**registration.saved_registrations(dep)[0], **dep.node_ids}
    registered = " ".join(f"{node}:{site}" for site, node in sorted(node_ids.items()))
    config = write_run_config(run_dir / "run-config.toml", run_config(
        exp, min_sites=min_sites, server_eval=server_eval, data_dir=str(site_files(exp)),
        result_path=str(result_path), connect_timeout=connect_timeout,
        registered_sites=registered, **hold))
    command = [flower_command("flwr"), "run", str(folder), CONNECTION,
               "--run-config", str(config), "--stream"]
    start_time = time.perf_counter()
    log_path = run_dir / "flwr-run.log"
    with progress_bar(exp.num_rounds, progress_default(progress),
                      _("rounds (deployment)")) as to_round:

        def on_line(line: str) -> None:
            server_round = round_done(line)
            # The app's own notes: each round (who trained, who is missing, its time), the
            # countdown for absent sites, each failure: the facilitator sees the run live.
            if echo and (server_round is not None or any(note in line for note in NOTES)):
                print(round_note(line), file=sys.stderr, flush=True)
            if server_round is None:
                return
            to_round(server_round)
            if drop_site is not None and server_round == drop_after_round:
                dep.stop_site(drop_site)
                hold_file.touch()  # the ServerApp, paused after this round, goes on

        try:
            done = stream(command, dep.env(), timeout, on_line, log_path=log_path,
                          what="`flwr run`", linger=0.0)
        except TimeoutError:
            stop_unfinished_runs(dep)
            raise
        to_round(exp.num_rounds)
    if done.code != 0 or not result_path.exists():
        raise DeploymentError(_("`flwr run` ended (exit code {code}) without a result. Its "
                                "output ({log}) ended with:\n{tail}").format(
            code=done.code, log=log_path, tail=done.tail()))
    result = load_result(exp, result_path, "deployment", time.perf_counter() - start_time)
    names = {node: exp.sites()[site].name for site, node in dep.node_ids.items()
             if site < exp.num_sites}
    for error in result.errors:  # a site that failed before it ever replied: registration knows
        if error["site"] == "?" and error.get("node_id") in names:
            error["site"] = names[error["node_id"]]
    return result
