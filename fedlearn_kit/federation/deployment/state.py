"""One deployment as the kit records it: settings, processes and files (lesson 07).

A :class:`Deployment` is what ``up``, ``link`` and ``node`` return and what ``load`` reads
back from a work folder, also after the notebook kernel that started it crashed. It knows
the folder's layout and saves its state after every change; the jobs are done elsewhere
and reached through a few methods a lesson calls:

- :mod:`.supervisor`: start, wait for and stop the SuperLink, SuperNodes and executors;
- :mod:`.registration`: the ``flwr`` connection and the sites' registered keys;
- :mod:`.runs`: train an experiment on it.

Everything lives in one work folder: ``deployment.json`` (the state: pids, process
groups, ports), ``credentials/``, ``flwr/`` (``FLWR_HOME`` for the SuperLink and ``flwr``),
``site-K/flwr`` (each SuperNode's ``FLWR_HOME``), ``site-K/keys``, ``logs/`` and ``runs/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import settings
from fedlearn_kit.federation.deployment import (
    diagnose,
    flower_launcher,
    registration,
    supervisor,
)
from fedlearn_kit.federation.deployment.folders import default_workdir
from fedlearn_kit.federation.deployment.process_control import (
    DIR_MARKER,
    MARKER,
    REGISTRATIONS_ENV,
    SETTINGS_ENV,
    STATE_FILE,
    DeploymentError,
    Proc,
    load_state,
    running_in,
    save_state,
)
from fedlearn_kit.i18n import _
from fedlearn_kit.offline import offline_env

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from fedlearn_kit.federation.result import Result

#: What a deployment folder is for (kept in its state file): "local" (`up`: every site on
#: this machine), "room" (`link`: a workshop's SuperLink), "node" (`node`: one participant).
ROLES = ("local", "room", "node")
#: Where a folder's earlier logs and runs go when a deployment starts there again (a
#: rejoin after a crash, a re-`link`): the log that explains a crash is kept.
EARLIER = "earlier"
#: How many earlier starts' logs a folder keeps.
EARLIER_KEPT = 5


@dataclass
class Deployment:
    """A running (or stopped) deployment: its settings, processes and files.

    Use it as a context manager to be sure everything stops, even after an error::

        with deployment.up(num_sites=2) as dep:
            result = dep.run(exp)
    """

    workdir: Path
    superlink: str  # the address SuperNodes and `flwr` use, HOST:PORT
    num_sites: int
    insecure: bool = False
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    processes: list[Proc] = field(default_factory=list)
    runs: int = 0
    isolation: str = "process"  # "process": the kit's warm executors; "subprocess": Flower's
    #: Each site's SuperNode id, as ``flwr supernode register`` gave it (TLS mode only).
    node_ids: dict[int, int] = field(default_factory=dict)
    #: One of :data:`ROLES`.
    role: str = "local"
    #: The fingerprint of each registered site's public key (see credentials.fingerprint).
    registered: dict[int, str] = field(default_factory=dict)
    #: What :func:`load` had to repair (processes adopted, a lost state file rebuilt);
    #: not saved.
    notes: list[str] = field(default_factory=list, compare=False)

    # ------------------------------------------------------------------ files
    @property
    def flwr_home(self) -> Path:
        """``FLWR_HOME`` of the SuperLink and of ``flwr`` (never ``~/.flwr``)."""
        return self.workdir / "flwr"

    @property
    def credentials(self) -> Path:
        """The folder with ``ca.crt``, the SuperLink's certificate and the sites' keys."""
        return self.workdir / "credentials"

    @property
    def public_keys(self) -> Path:
        """The coordinator's copies of the sites' public keys (``site-K.pub``), registered."""
        return self.credentials / "registered"

    def site_keys(self, site: int) -> Path:
        """Where site ``site`` keeps its own key pair: its folder, never the coordinator's."""
        return self.workdir / f"site-{site}" / "keys"

    def site_data(self, site: int) -> Path:
        """The file of site ``site``'s patients, in its own folder (its node config's
        ``data-path``): the app's ClientApp reads its site's data from it."""
        return self.workdir / f"site-{site}" / "data" / "patients.csv"

    @property
    def wake_file(self) -> Path | None:
        """The file this machine's SuperNodes and executors watch for the start of a run
        (:class:`~.flower_launcher.WakeFile`); a participant's node has none."""
        return None if self.role == "node" else self.workdir / "wake"

    @property
    def state_path(self) -> Path:
        """The state file: settings plus every process's pid, group, port and log."""
        return self.workdir / STATE_FILE

    # ------------------------------------------------------------------ state
    def saved_settings(self) -> dict[str, object]:
        """The settings the state file keeps (and every process's environment, so a lost
        state file can be rebuilt from the running processes)."""
        return {"superlink": self.superlink, "num_sites": self.num_sites,
                "insecure": self.insecure, "marker": self.marker, "runs": self.runs,
                "isolation": self.isolation, "role": self.role}

    def save(self) -> None:
        """Write the state file (done after every change)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        save_state(self.state_path, self.saved_settings() | {
            "node_ids": {str(k): v for k, v in self.node_ids.items()},
            "registered": {str(k): v for k, v in self.registered.items()}}, self.processes)

    def add_process(self, proc: Proc) -> Proc:
        """Record a started process (and save at once, so ``down`` finds it after a crash)."""
        self.processes.append(proc)
        self.save()
        return proc

    def process(self, name: str) -> Proc | None:
        """The newest process of this name (e.g. ``"supernode site 1"``), if any."""
        return next((p for p in reversed(self.processes) if p.name == name), None)

    def new_run_dir(self) -> Path:
        """A fresh folder ``runs/run-N`` for the next run (its app, log and result)."""
        self.runs += 1
        self.save()
        return self.workdir / "runs" / f"run-{self.runs}"

    def env(self, flwr_home: Path | None = None) -> dict[str, str]:
        """The environment of every process: the offline switches (no telemetry, no update
        check, no proxy for loopback and the SuperLink; :mod:`fedlearn_kit.offline`), its
        own FLWR_HOME, the deployment's marker, folder and settings."""
        host = self.superlink.rsplit(":", 1)[0].strip("[]")
        return offline_env(
            None, FLWR_HOME=str(flwr_home or self.flwr_home), PYTHONUNBUFFERED="1",
            OMP_NUM_THREADS="1", no_proxy_hosts=(host,),
            **{MARKER: self.marker, DIR_MARKER: str(self.workdir.resolve()),
               SETTINGS_ENV: json.dumps(self.saved_settings()),
               REGISTRATIONS_ENV: str(registration.registrations_file(self))},
            **({flower_launcher.WAKE_ENV: str(self.wake_file)} if self.wake_file else {}),
            # Flower starts its helpers (flower-superexec, flwr-clientapp) by name.
            PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                  os.environ.get("PATH", "")]))

    def wake(self) -> None:
        """Tell this machine's idle SuperNodes and executors that a run is starting."""
        if self.wake_file is not None:
            flower_launcher.WakeFile.touch(self.wake_file)

    # ------------------------------------------------------------------ what a lesson calls
    def start_supernode(self, site: int, key: str | Path | None = None,
                        ca: str | Path | None = None, wait: bool = True,
                        timeout: float = settings.SUPERNODE_JOIN_TIMEOUT,
                        executor: str = "own") -> Proc:
        """Start site ``site``'s SuperNode (again); see :func:`.supervisor.start_supernode`."""
        return supervisor.start_supernode(self, site, key=key, ca=ca, wait=wait,
                                          timeout=timeout, executor=executor)

    def stop_site(self, site: int) -> list[int]:
        """Stop site ``site``'s SuperNode (SIGTERM, as ``kill PID`` does) and its executor.

        In a run, the SuperLink then answers the site's messages with "node unavailable"
        and training goes on with the other sites (at least ``min_sites``).
        """
        return supervisor.stop_site(self, site)

    def check_sites(self, min_sites: int | None = None) -> None:
        """Raise a clear error if fewer SuperNodes run than a run needs
        (:func:`.supervisor.check_sites`)."""
        supervisor.check_sites(self, min_sites)

    def run(self, experiment: Experiment | None = None, **options: Any) -> Result:
        """Train ``experiment`` on this deployment with ``flwr run --stream``; a Result.

        ``options`` (``min_sites``, ``server_eval``, ``timeout``, ``progress``,
        ``drop_site``, ``drop_after_round``, ``connect_timeout``, ``echo``) are those of
        :func:`.runs.run_on`, which documents them.
        """
        from fedlearn_kit.federation.deployment import runs  # torch: only to train

        return runs.run_on(self, experiment or Experiment(), **options)

    def commands(self) -> list[str]:
        """The three kinds of Flower command this deployment runs (:func:`.runs.commands`)."""
        from fedlearn_kit.federation.deployment import runs

        return runs.commands(self)

    def status(self) -> pd.DataFrame:
        """One row per process: name, site, pid, process group, alive, port, log."""
        import pandas as pd  # pandas only when a table is asked for: `deploy down` is quick

        rows = [{"process": p.name, "pid": p.pid, "pgid": p.pgid, "alive": p.alive(),
                 "port": p.port, "log": p.log} for p in self.processes]
        return pd.DataFrame(rows, columns=["process", "pid", "pgid", "alive", "port", "log"])

    def log_lines(self, process: str, contains: str | Sequence[str] = "") -> list[str]:
        """The log of ``process`` (e.g. ``"superlink"``, ``"supernode site 1"``) without
        colour codes, keeping the lines that contain one of the ``contains`` strings."""
        proc = self.process(process)
        if proc is None:
            raise ValueError(_("No process {process!r}; see status() for the names.").format(
                process=process))
        wanted = [contains] if isinstance(contains, str) else list(contains)
        return diagnose.lines_with(proc.log, wanted)

    def down(self, grace: float = settings.STOP_GRACE) -> dict[str, list[int]]:
        """Stop every process of this deployment; report the pids stopped and open ports.

        Works from the state file alone (``deployment.down(workdir)``), e.g. after the notebook
        kernel that started the deployment crashed.
        """
        return supervisor.stop_all(self, grace)

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    def __repr__(self) -> str:
        alive = sum(p.alive() for p in self.processes)
        try:  # below the current folder: a relative path, so no machine's path is shown
            where = self.workdir.relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            where = str(self.workdir)
        text = (_("Deployment({sites} sites, SuperLink {address}, INSECURE, {alive} of {total} "
                  "processes running, workdir={workdir})") if self.insecure else
                _("Deployment({sites} sites, SuperLink {address}, TLS + node authentication, "
                  "{alive} of {total} processes running, workdir={workdir})"))
        return text.format(sites=self.num_sites, address=self.superlink, alive=alive,
                           total=len(self.processes), workdir=where)


# ---------------------------------------------------------------------- a work folder's deployment

def load(workdir: str | Path | None = None) -> Deployment:
    """The deployment recorded in ``workdir`` (for status and down, also after a crash).

    The running processes have the last word: a process of this folder that runs but is
    missing from the state file (an earlier state overwritten) is adopted, and a lost
    state file is rebuilt from the processes' environments (:func:`.process_control.running_in`)
    and the room's registrations file. ``notes`` says what was repaired.
    """
    workdir = Path(workdir or default_workdir()).resolve()
    path = workdir / STATE_FILE
    running = running_in(workdir)
    if path.exists():
        dep = _from_state(workdir, *load_state(path))
    elif running:
        settings_ = running[0].settings
        dep = Deployment(workdir, str(settings_["superlink"]), int(settings_["num_sites"]),
                         bool(settings_["insecure"]), str(settings_["marker"]),
                         runs=int(settings_.get("runs", 0)),
                         isolation=str(settings_.get("isolation", "process")),
                         role=str(settings_.get("role", "local")))
        dep.node_ids, dep.registered = registration.saved_registrations(dep)
        dep.notes.append(_("{file} was missing: rebuilt from the running processes.").format(
            file=STATE_FILE))
    else:
        raise FileNotFoundError(_("No deployment state in {workdir} ({file} missing).").format(
            workdir=workdir, file=STATE_FILE))
    adopted = _adopt(dep, [f.record for f in running])
    if adopted:
        dep.notes.append(_("Running processes of this folder adopted: {processes}.").format(
            processes=", ".join(f"{p.name} (pid {p.pid})" for p in adopted)))
        dep.save()
    return dep


def _from_state(workdir: Path, state: dict[str, Any], procs: list[Proc]) -> Deployment:
    node_ids: dict[str, Any] = dict(state.get("node_ids") or {})
    registered: dict[str, Any] = dict(state.get("registered") or {})
    return Deployment(workdir, str(state["superlink"]), int(state["num_sites"]),
                      bool(state["insecure"]), str(state["marker"]), procs,
                      int(state.get("runs", 0)), str(state.get("isolation", "process")),
                      {int(k): int(v) for k, v in node_ids.items()},
                      str(state.get("role", "local")),
                      {int(k): str(v) for k, v in registered.items()})


def _adopt(dep: Deployment, running: list[Proc]) -> list[Proc]:
    """Add the running processes the state file does not know; return them."""
    known = {p.pid for p in dep.processes if p.alive()}
    adopted = [p for p in running if p.pid not in known]
    if adopted:
        # A record of the same name that no longer runs is the same job's older process.
        names = {p.name for p in adopted}
        dep.processes = [p for p in dep.processes if p.name not in names or p.alive()]
        dep.processes += adopted
    return adopted


def load_if_any(workdir: Path) -> Deployment | None:
    """The deployment recorded in ``workdir``, or None if the folder has none."""
    try:
        return load(workdir)
    except FileNotFoundError:
        return None


def new_deployment(workdir: Path, superlink: str, num_sites: int, insecure: bool,
                   isolation: str = "process", role: str = "local") -> Deployment:
    """A new Deployment in ``workdir``, refusing to start over one that still runs."""
    from fedlearn_kit.sites import MAX_SITES

    if not 1 <= num_sites <= MAX_SITES:
        raise ValueError(_("num_sites={num_sites}: a deployment has 1 to {max} sites, as many "
                           "as the kit has site profiles for.").format(num_sites=num_sites,
                                                                       max=MAX_SITES))
    old = load_if_any(workdir)
    if old is not None and any(p.alive() for p in old.processes):
        raise DeploymentError(_("A deployment is already running in {workdir} ({old}). Stop it "
                                "first: deployment.down(workdir) or `fedlearn-kit deploy down "
                                "--workdir {workdir}`.").format(workdir=workdir, old=repr(old)))
    keep_earlier(Path(workdir))
    dep = Deployment(Path(workdir), superlink, num_sites, insecure,
                     isolation=supervisor.choose_isolation(isolation), role=role)
    if role != "room":  # registrations of an earlier deployment here mean nothing now
        registration.registrations_file(dep).unlink(missing_ok=True)
    else:
        # A restarted room keeps its registrations (the SuperLink's database keeps them);
        # the room's registrations file has them even when the state file was lost.
        if old is not None and old.role == "room":
            dep.node_ids, dep.registered = old.node_ids, old.registered
        else:
            dep.node_ids, dep.registered = registration.saved_registrations(dep)
    return dep


def keep_earlier(workdir: Path) -> Path | None:
    """Move the folder's ``logs/`` and ``runs/`` into ``earlier/START`` (the newest
    :data:`EARLIER_KEPT` kept), so a new start has fresh folders and the log that explains
    a crash survives a rejoin or a re-``link``. Returns the folder they went to."""
    present = [workdir / f for f in ("logs", "runs") if (workdir / f).exists()]
    if not present:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = workdir / EARLIER / stamp
    n = 1
    while target.exists():
        n += 1
        target = workdir / EARLIER / f"{stamp}-{n}"
    target.mkdir(parents=True)
    for folder in present:
        shutil.move(str(folder), str(target / folder.name))
    for old in sorted((workdir / EARLIER).iterdir())[:-EARLIER_KEPT]:
        shutil.rmtree(old, ignore_errors=True)
    return target
