"""A deployment's processes: start a SuperLink and SuperNodes, watch them, stop them (lesson 07).

``up(num_sites=2)`` starts what a real federation runs, as separate processes on loopback:
one ``flower-superlink`` (the coordinator) and one ``flower-supernode`` per site, with TLS
(a local CA and a certificate the kit makes, :mod:`.certs`) and SuperNode authentication
(one key pair per site, registered with ``flwr supernode register``). ``link`` and
``node`` start the two halves separately, for a workshop room. ``Deployment.run(exp)``
trains on it (:mod:`.runs`); ``Deployment.down()`` stops every process and checks that no
port is left open (:mod:`.processes`).

Speed: Flower's default (``isolation="subprocess"``) starts a new Python process for every
message, which imports torch each time. The kit starts Flower with ``--isolation process``
and runs its warm executor (:mod:`.executor`) next to each SuperNode and the SuperLink. Where
that executor cannot run (no ``os.fork``, or a Flower whose internals it needs changed;
see :mod:`fedlearn_kit.federation._flower`), the kit falls back to Flower's own isolation.

Everything lives in one work directory: ``deployment.json`` (the state: pids, process
groups, ports), ``credentials/``, ``flwr/`` (``FLWR_HOME`` for the SuperLink and ``flwr``),
``site-K/flwr`` (each SuperNode's ``FLWR_HOME``), ``logs/`` and ``runs/``.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import _flower
from fedlearn_kit.federation.deployment import (
    certs,
    credentials,
    diagnose,
    executor,
    flower_processes,
)
from fedlearn_kit.federation.deployment.credentials import fingerprint
from fedlearn_kit.federation.deployment.processes import (
    CONNECTION,
    MARKER,
    STATE_FILE,
    DeploymentError,
    Proc,
    flower_command,
    free_port,
    load_state,
    marked,
    port_open,
    require_free,
    save_state,
    start,
    stop,
    wait_ports_closed,
)
from fedlearn_kit.offline import offline_env
from fedlearn_kit.paths import work_folder

if TYPE_CHECKING:
    import pandas as pd

    from fedlearn_kit.federation.result import Result



# Every default folder is computed when it is used, never at import: the kit writes below
# the current folder (in JupyterLab: the notebook's folder) or ``$FEDLEARN_WORKDIR``
# (:func:`fedlearn_kit.paths.work_folder`), never next to its own files.
def work_root() -> Path:
    """Every default deployment folder lives under this one: ``./work`` (ignored by git)."""
    return work_folder()


def default_workdir() -> Path:
    """Where `deploy up` keeps a deployment's files unless told otherwise."""
    return work_folder("deployment")


def room_workdir() -> Path:
    """A workshop room: the facilitator's SuperLink (`deploy link`) and, below it, each
    participant's SuperNode and keys (`deploy keygen`, `deploy node`): ``node-K``."""
    return work_folder("room")


def lesson_workdir() -> Path:
    """Lesson 07's own folder, so rehearsing the lesson never touches a room."""
    return work_folder("lesson-07")


#: The former constants, kept as names: each is computed from the current folder on access.
_FOLDERS: dict[str, Callable[[], Path]] = {
    "WORK_ROOT": work_root, "DEFAULT_WORKDIR": default_workdir,
    "ROOM_WORKDIR": room_workdir, "LESSON_WORKDIR": lesson_workdir}


def __getattr__(name: str) -> Path:
    """``WORK_ROOT``, ``DEFAULT_WORKDIR``, ``ROOM_WORKDIR``, ``LESSON_WORKDIR``: now."""
    if name in _FOLDERS:
        return _FOLDERS[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: How many `flwr supernode register` commands run at once.
REGISTER_AT_ONCE = 4
#: What a deployment folder is for (kept in its state file).
ROLES = ("local", "room", "node")
LOOPBACK = "127.0.0.1"
ISOLATIONS = ("process", "subprocess")


def check_host(host: str, allow_network: bool = False) -> None:
    """Refuse an address off loopback unless ``allow_network`` asks for it by name."""
    if host not in (LOOPBACK, "localhost") and not allow_network:
        raise ValueError(f"host={host!r}: the kit keeps a deployment on loopback ({LOOPBACK}) "
                         "unless asked; for a workshop network use `fedlearn-kit deploy link "
                         "--host 0.0.0.0 --advertise YOUR-IP`.")


def choose_isolation(isolation: str) -> str:
    """``isolation``, or Flower's own ``"subprocess"`` where the warm executor cannot run."""
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation={isolation!r}: choose 'process' (the kit's warm "
                         "executors, fast) or 'subprocess' (Flower's default, slow).")
    if isolation == "process" and not _flower.warm_executor_available():
        return "subprocess"
    return isolation


def _serving(log: str) -> bool:
    """True once a warm executor's log has its own ready line (``executor.SERVING``)."""
    return executor.SERVING in diagnose.read(log)


def wait_for(ready: Callable[[], bool], proc: Proc, timeout: float, what: str,
             poll: float = 0.1) -> None:
    """Wait until ``ready()``; a clear error if ``proc`` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not proc.alive():
            raise DeploymentError(f"The {proc.name} (pid {proc.pid}) exited while the kit "
                                  f"waited for {what}. Its log ({proc.log}) ends with:\n"
                                  f"{diagnose.tail(proc.log)}")
        if time.monotonic() > deadline:
            raise DeploymentError(f"Waited {timeout:.0f} s for {what}; see {proc.log}:\n"
                                  f"{diagnose.tail(proc.log)}")
        time.sleep(poll)


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
    #: "local" (`up`: every site on this machine), "room" (`link`), "node" (`node`).
    role: str = "local"
    #: The fingerprint of each registered site's public key (see credentials.fingerprint).
    registered: dict[int, str] = field(default_factory=dict)

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

    @property
    def wake_file(self) -> Path | None:
        """The file this machine's SuperNodes and executors watch for the start of a run
        (:class:`~.flower_processes.WakeFile`); a participant's node has none."""
        return None if self.role == "node" else self.workdir / "wake"

    def wake(self) -> None:
        """Tell this machine's idle SuperNodes and executors that a run is starting."""
        if self.wake_file is not None:
            flower_processes.WakeFile.touch(self.wake_file)

    @property
    def state_path(self) -> Path:
        """The state file: settings plus every process's pid, group, port and log."""
        return self.workdir / STATE_FILE

    def save(self) -> None:
        """Write the state file (done after every change)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        save_state(self.state_path, {"superlink": self.superlink, "num_sites": self.num_sites,
                                     "insecure": self.insecure, "marker": self.marker,
                                     "runs": self.runs, "isolation": self.isolation,
                                     "node_ids": {str(k): v for k, v in self.node_ids.items()},
                                     "role": self.role,
                                     "registered": {str(k): v
                                                    for k, v in self.registered.items()}},
                   self.processes)

    def env(self, flwr_home: Path | None = None) -> dict[str, str]:
        """The environment of every process: the offline switches (no telemetry, no update
        check; :mod:`fedlearn_kit.offline`), its own FLWR_HOME, the deployment's marker."""
        return offline_env(
            None, FLWR_HOME=str(flwr_home or self.flwr_home), PYTHONUNBUFFERED="1",
            OMP_NUM_THREADS="1", **{MARKER: self.marker},
            **({flower_processes.WAKE_ENV: str(self.wake_file)} if self.wake_file else {}),
            # Flower starts its helpers (flower-superexec, flwr-clientapp) by name.
            PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                  os.environ.get("PATH", "")]))

    def _tls_args(self, server: bool = False) -> list[str]:
        if self.insecure:
            return ["--insecure"]
        c = self.credentials
        if server:
            return ["--ssl-ca-certfile", str(c / certs.CA_CERT),
                    "--ssl-certfile", str(c / certs.SERVER_CERT),
                    "--ssl-keyfile", str(c / certs.SERVER_KEY), "--enable-supernode-auth"]
        return ["--root-certificates", str(c / certs.CA_CERT)]

    def _add(self, proc: Proc) -> Proc:
        self.processes.append(proc)
        self.save()
        return proc

    def process(self, name: str) -> Proc | None:
        """The newest process of this name (e.g. ``"supernode site 1"``), if any."""
        return next((p for p in reversed(self.processes) if p.name == name), None)

    # ------------------------------------------------------------------ SuperLink
    def start_superlink(self, host: str = LOOPBACK, port: int | None = None,
                        timeout: float = 30.0, database: Path | None = None) -> Proc:
        """Start the SuperLink (and its warm ServerApp executor); wait until it answers."""
        port = port or int(self.superlink.rsplit(":", 1)[1])
        require_free(host, port, "SuperLink")
        logs = self.workdir / "logs"
        command = [*flower_processes.command("superlink"), *self._tls_args(server=True),
                   "--isolation", self.isolation, "--disable-runtime-dependency-installation",
                   "--host", host, "--port", str(port),
                   # A room's SuperLink keeps its registrations and nodes across a restart.
                   *(["--database", str(database)] if database else [])]
        link = self._add(start("superlink", command, logs / "superlink.log", self.env(),
                               port=port))
        wait_for(lambda: port_open(host, port), link, timeout, "the SuperLink to listen on "
                  f"{host}:{port}")
        if self.isolation == "subprocess":  # Flower starts flower-superexec itself
            return link
        runtime = f"{LOOPBACK}:{port}"
        worker = [sys.executable, "-m", "fedlearn_kit.federation.deployment.executor",
                  "--kind", "serverapp", "--runtime-api-address", runtime,
                  "--parent-pid", str(link.pid), *self._tls_args()]
        self._add(start("serverapp executor", worker, logs / "serverapp-executor.log",
                        self.env()))
        return link

    def write_flower_config(self) -> Path:
        """``FLWR_HOME/config.toml``: the one SuperLink connection ``flwr`` uses."""
        lines = ["[superlink]", f'default = "{CONNECTION}"', "",
                 f"[superlink.{CONNECTION}]", f'address = "{self.superlink}"']
        if self.insecure:
            lines.append("insecure = true")
        else:
            lines.append(f'root-certificates = "{self.credentials / certs.CA_CERT}"')
        self.flwr_home.mkdir(parents=True, exist_ok=True)
        path = self.flwr_home / "config.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def register_nodes(self, sites: Sequence[int] | None = None, timeout: float = 120.0
                       ) -> dict[int, int]:
        """Register the sites' public keys with ``flwr supernode register`` (in parallel).

        Returns (and keeps in the state file) each site's SuperNode id, which
        ``flwr supernode list`` later shows as online once that site has joined.
        """
        if self.insecure:
            return {}
        if sites is None:
            sites = sorted(int(p.name[5:-4]) for p in self.public_keys.glob("site-*.pub"))
        todo = []
        for site in sites:
            pub = self.public_keys / f"site-{site}.pub"
            if not pub.exists():
                raise DeploymentError(f"No public key for site {site} in {self.public_keys}.")
            if self.registered.get(site) == fingerprint(pub) and site in self.node_ids:
                continue  # already in the SuperLink's database (a restarted room)
            todo.append((site, pub))
        # A few `flwr` commands at a time: each costs a second of CPU to start, and twenty
        # at once on a 2-core laptop only make every one of them late.
        for first in range(0, len(todo), REGISTER_AT_ONCE):
            batch = todo[first:first + REGISTER_AT_ONCE]
            jobs = [subprocess.Popen(
                [flower_command("flwr"), "supernode", "register", str(pub), CONNECTION,
                 "--name", f"site-{site}", "--format", "json"], env=self.env(),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for site, pub in batch]
            for (site, pub), job in zip(batch, jobs, strict=True):
                text = job.communicate(timeout=timeout)[0]
                if job.returncode != 0:
                    raise DeploymentError(f"Registering site {site}'s key ({pub}) "
                                          f"failed:\n{text}")
                self.node_ids[site] = _flower.registered_node_id(text)
                self.registered[site] = fingerprint(pub)
        self.save()
        return dict(self.node_ids)

    def add_public_keys(self, keys: dict[int, Path]) -> None:
        """Copy the sites' public keys into :attr:`public_keys` (the coordinator's copy)."""
        self.public_keys.mkdir(parents=True, exist_ok=True)
        for site, path in keys.items():
            target = self.public_keys / f"site-{site}.pub"
            if path.resolve() != target.resolve():
                shutil.copyfile(path, target)

    def online_nodes(self, timeout: float = 60.0) -> set[int]:
        """The ids of the SuperNodes the SuperLink sees online (``flwr supernode list``)."""
        command = [flower_command("flwr"), "supernode", "list", CONNECTION, "--format", "json"]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            raise DeploymentError(f"`flwr supernode list` failed:\n{done.stdout}{done.stderr}")
        return _flower.online_node_ids(done.stdout)

    # ------------------------------------------------------------------ SuperNodes
    def start_supernode(self, site: int, key: str | Path | None = None,
                        ca: str | Path | None = None, wait: bool = True,
                        timeout: float = 60.0, executor: str = "own") -> Proc:
        """Start site ``site``'s SuperNode and, unless told, its ClientApp executor.

        ``executor``: ``"own"`` starts an executor for this SuperNode alone that imports
        torch when its first message arrives (a participant's laptop); ``"warm"`` one that
        imports at once (a site rejoining a running federation); ``"shared"`` none, because
        the caller starts one executor for every SuperNode on this machine
        (:meth:`start_shared_executor`).
        """
        if not 0 <= site < self.num_sites:
            raise ValueError(f"site={site}: this deployment has sites 0 to "
                             f"{self.num_sites - 1}.")
        runtime_port = free_port(LOOPBACK)
        home = self.workdir / f"site-{site}" / "flwr"
        home.mkdir(parents=True, exist_ok=True)
        # No --max-wait-time: Flower's default keeps retrying, so SuperNodes survive a
        # SuperLink restart of any length (a facilitator's reboot); the kit's own wait
        # below bounds the first join.
        command = [*flower_processes.command("supernode"), "--superlink", self.superlink,
                   "--isolation", self.isolation, "--host", LOOPBACK,
                   "--port", str(runtime_port),
                   "--node-config", f"partition-id={site} num-partitions={self.num_sites}"]
        if self.insecure:
            command.append("--insecure")
        else:
            ca = Path(ca or self.credentials / certs.CA_CERT)
            credentials.check_ca_certificate(ca)
            key = credentials.check_private_key(
                key or self.site_keys(site) / f"site-{site}", site)
            command += ["--root-certificates", str(ca), "--auth-supernode-private-key",
                        str(key)]
        logs = self.workdir / "logs"
        sn = self._add(start(f"supernode site {site}", command,
                             logs / f"supernode-site-{site}.log", self.env(home),
                             port=runtime_port, site=site))
        if self.isolation == "subprocess" or executor == "shared":
            if wait:
                self.wait_for_supernode(site, timeout)
            return sn
        worker = [sys.executable, "-m", "fedlearn_kit.federation.deployment.executor",
                  "--kind", "clientapp", "--runtime-api-address", f"{LOOPBACK}:{runtime_port}",
                  "--insecure", "--parent-pid", str(sn.pid),
                  *(["--lazy"] if executor == "own" else [])]
        self._add(start(f"clientapp executor site {site}", worker,
                        logs / f"clientapp-executor-site-{site}.log", self.env(home),
                        site=site))
        if wait:
            self.wait_for_supernode(site, timeout)
            self.wake()  # a site rejoining a run asks for work at once, not in 10 s
        return sn

    def start_shared_executor(self, sites: Sequence[int]) -> Proc | None:
        """One warm ClientApp executor for the SuperNodes of ``sites`` on this machine.

        torch and the apps are then imported once for all of them, not once per site;
        each message still runs in its own forked process.
        """
        if self.isolation == "subprocess":
            return None
        worker = [sys.executable, "-m", "fedlearn_kit.federation.deployment.executor",
                  "--kind", "clientapp", "--insecure"]
        for site in sites:
            sn = self.process(f"supernode site {site}")
            if sn is None or sn.port is None:
                raise DeploymentError(f"No SuperNode for site {site} to serve.")
            worker += ["--runtime-api-address", f"{LOOPBACK}:{sn.port}",
                       "--parent-pid", str(sn.pid)]
        return self._add(start("clientapp executor", worker,
                               self.workdir / "logs" / "clientapp-executor.log", self.env()))

    def wait_for_supernode(self, site: int, timeout: float = 60.0) -> None:
        """Wait until site ``site``'s SuperNode has joined the SuperLink, or explain why not."""
        self.wait_for_supernodes([site], timeout)

    def _joined(self, sites: Sequence[int]) -> set[int]:
        """Which of ``sites`` the SuperLink sees online.

        The coordinator asks the SuperLink (``flwr supernode list``): by node id where the
        kit registered the sites' keys, by count on an insecure deployment. A participant's
        machine (``node``) has no Control API connection, so there the SuperNode's own log
        line is the best available hint (see ``_flower.NODE_JOINED_HINT``).
        """
        hinted = {s for s in sites if (sn := self.process(f"supernode site {s}")) is not None
                  and _flower.NODE_JOINED_HINT in diagnose.read(sn.log)}
        if not (self.flwr_home / "config.toml").exists():
            return hinted
        if hinted != set(sites):  # ask the SuperLink once every log says so: `flwr` costs
            return set()           # a second of CPU per call, too much to poll with
        online = self.online_nodes()
        if self.node_ids:
            return {s for s in sites if self.node_ids.get(s) in online}
        running = [p for p in self.processes if p.name.startswith("supernode") and p.alive()]
        return set(sites) if len(online) >= len(running) else set()

    def wait_for_supernodes(self, sites: Sequence[int], timeout: float = 60.0) -> None:
        """Wait until the SuperNodes of ``sites`` have joined the SuperLink, or explain why not.

        Fails early, with advice, when a SuperNode exits or its log shows a known fault
        (:func:`.diagnose.explain_node_fault`); otherwise shows the log's tail.
        """
        waiting = list(sites)
        nodes = {}
        for site in waiting:
            sn = self.process(f"supernode site {site}")
            if sn is None:
                raise DeploymentError(f"No SuperNode for site {site} was started in "
                                      f"{self.workdir}.")
            nodes[site] = sn
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for site in waiting:
                sn = nodes[site]
                exited = not sn.alive()
                advice = diagnose.explain_node_fault(diagnose.read(sn.log), exited)
                if advice:
                    self.stop_site(site)
                    raise DeploymentError(f"Site {site}'s SuperNode {advice}\nIts log "
                                          f"({sn.log}) ends with:\n{diagnose.tail(sn.log)}")
                if exited:
                    self.stop_site(site)
                    raise DeploymentError(f"Site {site}'s SuperNode (pid {sn.pid}) exited "
                                          f"before it joined the SuperLink. Its log ({sn.log}) "
                                          f"ends with:\n{diagnose.tail(sn.log)}")
            joined = self._joined(waiting)
            waiting = [s for s in waiting if s not in joined]
            if waiting:
                time.sleep(0.3)
        for site in waiting:
            sn = nodes[site]
            self.stop_site(site)
            raise DeploymentError(f"Site {site}'s SuperNode did not join the SuperLink at "
                                  f"{self.superlink} within {timeout:.0f} s; it was stopped. "
                                  f"Is the SuperLink running and reachable? Its log ({sn.log}) "
                                  f"ends with:\n{diagnose.tail(sn.log)}")

    def wait_for_executors(self, timeout: float = 120.0) -> None:
        """Wait until every warm executor has imported its apps and is serving."""
        for proc in self.processes:
            if "executor" not in proc.name:
                continue
            # The executor's own line (executor.SERVING), not one of Flower's.
            wait_for(partial(_serving, proc.log), proc, timeout,
                     f"the {proc.name} to import Flower and torch")

    def stop_site(self, site: int) -> list[int]:
        """Stop site ``site``'s SuperNode (SIGTERM, as ``kill PID`` does) and its executor.

        In a run, the SuperLink then answers the site's messages with "node unavailable"
        and training goes on with the other sites (at least ``min_sites``).
        """
        procs = [p for p in self.processes if p.site == site and p.alive()]
        return stop(procs)

    # ------------------------------------------------------------------ status
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
            raise ValueError(f"No process {process!r}; see status() for the names.")
        wanted = [contains] if isinstance(contains, str) else list(contains)
        return diagnose.lines_with(proc.log, wanted)

    def check_sites(self, min_sites: int | None = None) -> None:
        """Raise a clear error if fewer SuperNodes started here run than the run needs.

        ``min_sites`` (default: every site) is the fewest sites a round needs; a dead
        SuperNode is fine as long as enough others run (it is reported as missing).
        """
        need = self.num_sites if min_sites is None else min_sites
        recorded = [(s, sn) for s in range(self.num_sites)
                    if (sn := self.process(f"supernode site {s}")) is not None]
        dead = [(s, sn) for s, sn in recorded if not sn.alive()]
        if recorded and len(recorded) - len(dead) < need:
            site, sn = dead[0]
            raise DeploymentError(
                f"Site {site}'s SuperNode (pid {sn.pid}) is not running, and only "
                f"{len(recorded) - len(dead)} of {len(recorded)} SuperNodes are, fewer than "
                f"min_sites={need}. Start it again with `dep.start_supernode({site})`, or "
                f"run with a lower min_sites. Its log ({sn.log}) ends with:\n"
                f"{diagnose.tail(sn.log, 10)}")
        link = self.process("superlink")
        if link is not None and not link.alive():
            raise DeploymentError(f"The SuperLink (pid {link.pid}) is not running; start a "
                                  f"new deployment with deployment.up(). Its log ends with:\n"
                                  f"{diagnose.tail(link.log, 10)}")

    def __repr__(self) -> str:
        alive = sum(p.alive() for p in self.processes)
        mode = "INSECURE" if self.insecure else "TLS + node authentication"
        try:  # below the current folder: a relative path, so no machine's path is shown
            where = self.workdir.relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            where = str(self.workdir)
        return (f"Deployment({self.num_sites} sites, SuperLink {self.superlink}, {mode}, "
                f"{alive} of {len(self.processes)} processes running, workdir={where})")

    # ------------------------------------------------------------------ runs
    def run(self, experiment: Experiment | None = None, *, min_sites: int = 1,
            server_eval: bool = True, timeout: float = 300.0, progress: bool | None = None,
            drop_site: int | None = None, drop_after_round: int = 1,
            connect_timeout: float = 60.0, echo: bool = True) -> Result:
        """Train ``experiment`` on this deployment with ``flwr run --stream``; a Result.

        ``drop_site``: stop that site's SuperNode as soon as round ``drop_after_round`` is
        over, to watch the federation carry on without it (lesson 07). See
        :func:`.runs.run_on`.
        """
        from fedlearn_kit.federation.deployment import runs  # torch: only to train

        return runs.run_on(self, experiment or Experiment(), min_sites=min_sites,
                           server_eval=server_eval, timeout=timeout, progress=progress,
                           drop_site=drop_site, drop_after_round=drop_after_round,
                           connect_timeout=connect_timeout, echo=echo)

    def new_run_dir(self) -> Path:
        """A fresh folder ``runs/run-N`` for the next run (its app, log and result)."""
        self.runs += 1
        self.save()
        return self.workdir / "runs" / f"run-{self.runs}"

    # ------------------------------------------------------------------ shutdown
    def down(self, grace: float = 5.0) -> dict[str, list[int]]:
        """Stop every process of this deployment; report the pids stopped and open ports.

        Works from the state file alone (``deployment.down(workdir)``), e.g. after the notebook
        kernel that started the deployment crashed.
        """
        if not self.processes and not marked(self.marker):
            return {"stopped": [], "already_gone": [], "ports_still_open": []}
        gone = [p.pid for p in self.processes if not p.alive()]
        stopped = stop(self.processes, self.marker, grace)
        ports = [(LOOPBACK, p.port) for p in self.processes if p.port]
        still_open = wait_ports_closed(ports, timeout=grace)
        self.processes = []
        self.save()
        return {"stopped": stopped, "already_gone": gone, "ports_still_open": still_open}

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


# ---------------------------------------------------------------------- module functions

def _existing(workdir: Path) -> Deployment | None:
    try:
        return load(workdir)
    except FileNotFoundError:
        return None


def _fresh(workdir: Path, superlink: str, num_sites: int, insecure: bool,
           isolation: str = "process", role: str = "local") -> Deployment:
    """A new Deployment in ``workdir``, refusing to start over one that still runs."""
    from fedlearn_kit.sites import MAX_SITES

    if not 1 <= num_sites <= MAX_SITES:
        raise ValueError(f"num_sites={num_sites}: a deployment has 1 to {MAX_SITES} sites, "
                         "as many as the kit has site profiles for.")
    old = _existing(workdir)
    if old is not None and any(p.alive() for p in old.processes):
        raise DeploymentError(f"A deployment is already running in {workdir} ({old!r}). "
                              "Stop it first: deployment.down(workdir) or "
                              f"`fedlearn-kit deploy down --workdir {workdir}`.")
    for folder in ("logs", "runs"):  # the files of a previous deployment in this folder
        shutil.rmtree(Path(workdir) / folder, ignore_errors=True)
    dep = Deployment(Path(workdir), superlink, num_sites, insecure,
                     isolation=choose_isolation(isolation), role=role)
    if old is not None and role == "room" and old.role == "room":
        # A restarted room keeps its registrations (the SuperLink's database keeps them).
        dep.node_ids, dep.registered = old.node_ids, old.registered
    return dep


def link(num_sites: int = 2, workdir: str | Path | None = None, *, host: str = LOOPBACK,
         port: int | None = None, advertise: str | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = 30.0, isolation: str = "process",
         keys: str | Path | None = None, renew: bool = False) -> Deployment:
    """Start the coordinator's side of a room: the CA, the SuperLink, the registered keys.

    ``host`` is where the SuperLink listens; ``advertise`` the address sites will use (it
    goes into the TLS certificate). Both stay on loopback unless ``allow_network=True``.
    ``keys``: a folder of the participants' public keys (``site-K.pub``), registered with
    the SuperLink; the coordinator never holds a site's private key (a folder with one is
    refused). Run again (after a reboot), it reuses the room's CA, certificate and
    registrations, so nobody needs new files; ``renew=True`` makes a new CA and
    certificate (everyone then needs the new ``ca.crt``).
    """
    check_host(host, allow_network)
    workdir = Path(workdir or room_workdir()).resolve()
    advertise = advertise or (LOOPBACK if host in (LOOPBACK, "0.0.0.0") else host)
    if port is None:
        port = free_port(LOOPBACK)
    dep = _fresh(workdir, f"{advertise}:{port}", num_sites, insecure, isolation, role="room")
    require_free(host, port, "SuperLink")
    if not insecure:
        hosts = tuple(dict.fromkeys((LOOPBACK, "localhost", advertise)))
        reuse_or_make_certificates(dep.credentials, hosts, renew)
        if renew:
            dep.node_ids, dep.registered = {}, {}
            (dep.flwr_home / "superlink.db").unlink(missing_ok=True)
        if keys is not None:
            dep.add_public_keys(credentials.collect_public_keys(keys, num_sites))
    dep.write_flower_config()
    try:
        dep.start_superlink(host, port, timeout,
                            database=dep.flwr_home / "superlink.db")
        dep.register_nodes()
    except BaseException:
        dep.down()
        raise
    return dep


def reuse_or_make_certificates(folder: Path, hosts: tuple[str, ...], renew: bool) -> bool:
    """The room's CA and SuperLink certificate: reused if they cover ``hosts``; True if new.

    A certificate for another address is not silently replaced, because every participant
    would need the new ``ca.crt``: the error says to pass ``renew=True`` (``--renew``).
    """
    have = all((folder / n).exists() for n in (certs.CA_CERT, certs.CA_KEY,
                                                certs.SERVER_CERT, certs.SERVER_KEY))
    if have and not renew:
        valid_for = certs.describe_certificate(folder / certs.SERVER_CERT)["valid for"]
        names = {n.strip() for n in valid_for.split(",")}
        if set(hosts) <= names:
            return False
        raise DeploymentError(
            f"The room's SuperLink certificate ({folder / certs.SERVER_CERT}) is valid for "
            f"{valid_for}, not for {', '.join(sorted(set(hosts) - names))}. Use the address "
            "it was made for, or renew it with `fedlearn-kit deploy link --renew ...` (every "
            "participant then needs the new ca.crt).")
    certs.make_ca(folder)
    certs.make_server_cert(folder, hosts)
    return True


def up(num_sites: int = 2, workdir: str | Path | None = None, *, insecure: bool = False,
       port: int | None = None, timeout: float = 60.0, isolation: str = "process",
       replace: bool = False, stop_at_exit: bool = False) -> Deployment:
    """Start a whole federation on loopback: SuperLink plus one SuperNode per site.

    TLS and SuperNode authentication are on; ``insecure=True`` turns both off (only when
    asked by name). Every site makes its own key pair in its own folder (``site-K/keys``)
    and the coordinator registers a copy of the public half only: the procedure of a real
    federation, with all sites on one machine (the classroom shortcut). ``port``: the
    SuperLink's port (default: a free one). ``isolation``: ``"process"`` runs each message
    in a process forked from one warm executor; ``"subprocess"`` is Flower's default, a
    fresh Python process per message (slow). ``replace``: first stop a deployment left in
    ``workdir`` by `up` (e.g. by a notebook kernel that crashed; a room's is never
    stopped this way). ``stop_at_exit``: stop everything when this Python process ends.
    """
    workdir = Path(workdir or default_workdir()).resolve()
    old = _existing(workdir)
    if old is not None and old.role != "local":
        raise DeploymentError(
            f"{workdir} holds a workshop room's {old.role} (`deploy link`/`deploy node`); "
            f"`up` uses its own folder (default {default_workdir()}, lesson 07: "
            f"{lesson_workdir()}). Choose another workdir.")
    if replace and old is not None:
        old.down()
    if port is None:
        port = free_port(LOOPBACK)
    dep = _fresh(workdir, f"{LOOPBACK}:{port}", num_sites, insecure, isolation)
    if stop_at_exit:
        atexit.register(dep.down)
    try:
        if not insecure:
            certs.make_ca(dep.credentials)
            certs.make_server_cert(dep.credentials, (LOOPBACK, "localhost"))
            made = {s: credentials.make_site_keys(dep.site_keys(s), s, renew=True)
                    for s in range(num_sites)}
            dep.add_public_keys({s: k.public_key for s, k in made.items()})
        dep.write_flower_config()
        dep.start_superlink(LOOPBACK, port, timeout)
        dep.register_nodes()
        for site in range(num_sites):
            dep.start_supernode(site, wait=False, executor="shared")
        dep.start_shared_executor(range(num_sites))
        dep.wait_for_supernodes(range(num_sites), timeout)
        dep.wait_for_executors(max(timeout, 120.0))
    except BaseException:
        dep.down()
        raise
    return dep


def keygen(site: int, workdir: str | Path | None = None, *, renew: bool = False
           ) -> certs.NodeKeys:
    """A participant's own key pair for site ``site``, in ``workdir/keys`` (room: node-K).

    Keeps an existing pair unless ``renew=True``. Hand only the ``.pub`` file over.
    """
    folder = Path(workdir or room_workdir() / f"node-{site}").resolve() / "keys"
    return credentials.make_site_keys(folder, site, renew=renew)


def register(public_keys: Sequence[str | Path], workdir: str | Path | None = None
             ) -> dict[int, int]:
    """Register more participants' public keys with the room's running SuperLink."""
    dep = load(workdir or room_workdir())
    found: dict[int, Path] = {}
    for path in map(Path, public_keys):
        match = re.fullmatch(r"site-(\d+)\.pub", path.name)
        if not match or not 0 <= int(match.group(1)) < dep.num_sites:
            raise credentials.CredentialError(
                f"{path}: expected a file named site-K.pub with K from 0 to "
                f"{dep.num_sites - 1}.")
        found[int(match.group(1))] = credentials.check_public_key(path)
    dep.add_public_keys(found)
    dep.register_nodes(sorted(found))
    return {s: dep.node_ids[s] for s in found}


def node(superlink: str, site: int, num_sites: int, workdir: str | Path | None = None, *,
         ca: str | Path | None = None, key: str | Path | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = 60.0) -> Deployment:
    """A participant's side: one SuperNode for ``site`` joining the SuperLink at ``superlink``.

    ``ca`` is the facilitator's ``ca.crt``; ``key`` the site's private key, by default the
    one :func:`keygen` made in ``workdir/keys``. Both are checked before anything starts.
    Running it again after the SuperNode stopped (a laptop that slept) rejoins the room.
    """
    host = superlink.rsplit(":", 1)[0]
    check_host(host, allow_network)
    if not 0 <= site < num_sites:
        raise ValueError(f"--site {site}: sites are numbered from 0, so with --sites "
                         f"{num_sites} they run from 0 to {num_sites - 1}.")
    workdir = Path(workdir or room_workdir() / f"node-{site}").resolve()
    if not insecure:
        key = credentials.check_private_key(key or workdir / "keys" / f"site-{site}", site)
        if ca is None:
            raise credentials.CredentialError(
                "Missing --ca: the facilitator's ca.crt (from their work/room/credentials).")
        credentials.check_ca_certificate(ca)
    dep = _existing(workdir)
    if dep is not None and dep.role == "node" and any(p.alive() for p in dep.processes):
        raise DeploymentError(f"Site {site}'s SuperNode already runs from {workdir}; stop "
                              f"it with `fedlearn-kit deploy down --workdir {workdir}`.")
    dep = _fresh(workdir, superlink, num_sites, insecure, role="node")
    dep.start_supernode(site, key=key, ca=ca, timeout=timeout)
    return dep


def workdirs(root: str | Path | None = None) -> list[Path]:
    """Every deployment folder recorded under ``root`` (default: ``./work`` of the current
    folder, or ``$FEDLEARN_WORKDIR``)."""
    root = Path(root or work_root())
    return sorted(p.parent for p in root.glob(f"**/{STATE_FILE}"))


def load(workdir: str | Path | None = None) -> Deployment:
    """The deployment recorded in ``workdir`` (for status and down, also after a crash)."""
    workdir = Path(workdir or default_workdir()).resolve()
    path = workdir / STATE_FILE
    if not path.exists():
        raise FileNotFoundError(f"No deployment state in {workdir} ({STATE_FILE} missing).")
    state, procs = load_state(path)
    node_ids: dict[str, Any] = dict(state.get("node_ids") or {})  # type: ignore[call-overload]
    registered: dict[str, Any] = dict(state.get("registered") or {})  # type: ignore[call-overload]
    return Deployment(workdir, str(state["superlink"]), int(state["num_sites"]),  # type: ignore[call-overload]
                      bool(state["insecure"]), str(state["marker"]), procs,
                      int(state.get("runs", 0)),  # type: ignore[call-overload]
                      str(state.get("isolation", "process")),
                      {int(k): int(v) for k, v in node_ids.items()},
                      str(state.get("role", "local")),
                      {int(k): str(v) for k, v in registered.items()})


def status(workdir: str | Path | None = None) -> pd.DataFrame:
    """The process table of the deployment in ``workdir``."""
    return load(workdir).status()


def down(workdir: str | Path | None = None) -> dict[str, list[int]]:
    """Stop the deployment recorded in ``workdir``; safe to call twice.

    Without ``workdir``, every deployment recorded under ``./work`` of the current folder: a
    participant's ``deploy down`` then finds the SuperNode ``deploy node`` started.
    """
    folders = [Path(workdir)] if workdir is not None else workdirs()
    report: dict[str, list[int]] = {"stopped": [], "already_gone": [], "ports_still_open": []}
    for folder in folders:
        try:
            dep = load(folder)
        except FileNotFoundError:
            continue
        for key, values in dep.down().items():
            report.setdefault(key, []).extend(values)
    return report
