"""Flower's deployment engine: SuperLink, SuperNodes and runs, on loopback or a room (lesson 07).

``deploy.up(num_sites=2)`` starts what a real federation runs, as separate processes on
loopback: one ``flower-superlink`` (the coordinator) and one ``flower-supernode`` per site,
with TLS (a local CA and a certificate the kit makes) and SuperNode authentication (one key
pair per site, registered with ``flwr supernode register``). ``Deployment.run(exp)``
submits the kit's apps with ``flwr run --stream`` and returns the same
:class:`~fedlearn_kit.federation.Result` as the other engines. ``Deployment.down()`` stops
every process and checks that no port is left open.

Speed: Flower's default (``--isolation subprocess``) starts a new Python process for every
message, which imports torch each time. The kit starts Flower with ``--isolation process``
and runs :mod:`fedlearn_kit.federation.clientapp_worker` next to each SuperNode and the
SuperLink: it imports once and forks one process per message.

Everything lives in one work directory: ``deployment.json`` (the state: pids, process
groups, ports), ``credentials/``, ``flwr/`` (``FLWR_HOME`` for the SuperLink and ``flwr``),
``site-K/flwr`` (each SuperNode's ``FLWR_HOME``), ``logs/`` and ``runs/``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import certs
from fedlearn_kit.federation.processes import (
    MARKER,
    STATE_FILE,
    DeploymentError,
    PortInUseError,
    Proc,
    free_port,
    load_state,
    marked,
    port_free,
    port_open,
    require_free,
    save_state,
    start,
    stop,
    wait_ports_closed,
)
from fedlearn_kit.paths import ROOT

__all__ = ["DEFAULT_WORKDIR", "Deployment", "DeploymentError", "PortInUseError", "down",
           "link", "load", "node", "port_free", "run_deployment", "status", "up"]

#: Where the kit keeps a deployment's files unless told otherwise (ignored by git).
DEFAULT_WORKDIR = ROOT / "work" / "deployment"
LOOPBACK = "127.0.0.1"
CONNECTION = "fedlearn-kit"  # the SuperLink connection's name in FLWR_HOME/config.toml
#: The module a run's Flower app names as its components. `flwr run` checks a component
#: with importlib's find_spec, which imports every parent package: naming
#: ``fedlearn_kit.federation.apps`` directly would import the whole kit (torch,
#: matplotlib, scikit-learn) in the `flwr` command, about 10 s on a busy laptop. A small
#: module inside the app folder keeps that check instant; SuperLink and SuperNodes import
#: the kit when they load it.
COMPONENTS_MODULE = "course_app"
_COMPONENTS_SOURCE = '''"""The course's Flower components (written by fedlearn_kit's deploy)."""

from fedlearn_kit.federation import apps, deploy_app

client_app = apps.client_app
server_app = deploy_app.app  # the kit's ServerApp, pulling replies every 0.2 s
'''
#: Seconds between a site's last reply and switching its SuperNode off (see _drop_after).
_DROP_DELAY = 1.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ROUND = re.compile(r"\[ROUND (\d+)/(\d+)\]")

# What a SuperNode's log says when it cannot join, and what the kit tells the learner.
_NODE_FAULTS = (
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|unknown ca", re.I),
     "does not trust the SuperLink's TLS certificate (verification failed). Give the "
     "SuperNode the CA certificate that signed the SuperLink's certificate (ca.crt from the "
     "facilitator's `deploy link`), and reach the SuperLink by a name the certificate lists."),
    (re.compile(r"Failed to activate SuperNode|code: 2004|401 Unauthorized|not registered",
                re.I),
     "was refused by the SuperLink: its public key is not registered. The coordinator "
     "registers each site's public key with `flwr supernode register site-K.pub` (the kit "
     "does this in `deploy up` / `deploy link`); check the SuperNode uses the matching "
     "private key."),
    (re.compile(r"Unable to parse the private key", re.I),
     "cannot read its private key file: give it the site's OpenSSH EC key (site-K)."),
)


def _bin(name: str) -> str:
    """The path of one of Flower's commands, next to this Python first."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise DeploymentError(f"Flower's command `{name}` was not found. Install the kit "
                              "with `pip install -e .` (it brings flwr) in this environment.")
    return found


def _tail(path: str | Path, n: int = 25) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-n:])


def _check_host(host: str, allow_network: bool = False) -> None:
    if host not in (LOOPBACK, "localhost") and not allow_network:
        raise ValueError(f"host={host!r}: the kit keeps a deployment on loopback ({LOOPBACK}) "
                         "unless asked; for a workshop network use `fedlearn-kit deploy link "
                         "--host 0.0.0.0 --advertise YOUR-IP`.")


@dataclass
class Deployment:
    """A running (or stopped) deployment: its settings, processes and files.

    Use it as a context manager to be sure everything stops, even after an error::

        with kit.deploy.up(num_sites=2) as dep:
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
    def state_path(self) -> Path:
        """The state file: settings plus every process's pid, group, port and log."""
        return self.workdir / STATE_FILE

    def save(self) -> None:
        """Write the state file (done after every change)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        save_state(self.state_path, {"superlink": self.superlink, "num_sites": self.num_sites,
                                     "insecure": self.insecure, "marker": self.marker,
                                     "runs": self.runs, "isolation": self.isolation},
                   self.processes)

    def env(self, flwr_home: Path | None = None) -> dict[str, str]:
        """The environment of every process: telemetry off, own FLWR_HOME, the marker."""
        return dict(os.environ) | {
            "FLWR_TELEMETRY_ENABLED": "0", "FLWR_HOME": str(flwr_home or self.flwr_home),
            MARKER: self.marker, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1",
            # Flower starts its helpers (flower-superexec, flwr-clientapp) by name.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                     os.environ.get("PATH", "")])}

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

    def _proc(self, name: str) -> Proc | None:
        return next((p for p in reversed(self.processes) if p.name == name), None)

    # ------------------------------------------------------------------ SuperLink
    def start_superlink(self, host: str = LOOPBACK, port: int | None = None,
                        timeout: float = 30.0) -> Proc:
        """Start the SuperLink (and its warm ServerApp executor); wait until it answers."""
        port = port or int(self.superlink.rsplit(":", 1)[1])
        require_free(host, port, "SuperLink")
        logs = self.workdir / "logs"
        command = [_bin("flower-superlink"), *self._tls_args(server=True),
                   "--isolation", self.isolation, "--disable-runtime-dependency-installation",
                   "--host", host, "--port", str(port)]
        link = self._add(start("superlink", command, logs / "superlink.log", self.env(),
                               port=port))
        _wait_for(lambda: port_open(host, port), link, timeout, "the SuperLink to listen on "
                  f"{host}:{port}")
        if self.isolation == "subprocess":  # Flower starts flower-superexec itself
            return link
        runtime = f"{LOOPBACK}:{port}"
        worker = [sys.executable, "-m", "fedlearn_kit.federation.clientapp_worker",
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

    def register_nodes(self, sites: Sequence[int] | None = None, timeout: float = 60.0
                       ) -> list[str]:
        """Register the sites' public keys with ``flwr supernode register`` (in parallel)."""
        if self.insecure:
            return []
        sites = range(self.num_sites) if sites is None else sites
        jobs = []
        for site in sites:
            keys = certs.node_keys(self.credentials, site)
            command = [_bin("flwr"), "supernode", "register", str(keys.public_key),
                       CONNECTION, "--name", f"site-{site}"]
            jobs.append(subprocess.Popen(command, env=self.env(), stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True))
        out = []
        for site, job in zip(sites, jobs, strict=True):
            text = job.communicate(timeout=timeout)[0]
            if job.returncode != 0:
                raise DeploymentError(f"Registering site {site}'s key failed:\n{text}")
            out.append(text.strip().splitlines()[-1])
        return out

    # ------------------------------------------------------------------ SuperNodes
    def start_supernode(self, site: int, key: str | Path | None = None,
                        ca: str | Path | None = None, wait: bool = True,
                        timeout: float = 60.0) -> Proc:
        """Start site ``site``'s SuperNode and its warm ClientApp executor."""
        if not 0 <= site < self.num_sites:
            raise ValueError(f"site={site}: this deployment has sites 0 to "
                             f"{self.num_sites - 1}.")
        runtime_port = free_port(LOOPBACK)
        home = self.workdir / f"site-{site}" / "flwr"
        home.mkdir(parents=True, exist_ok=True)
        command = [_bin("flower-supernode"), "--superlink", self.superlink,
                   "--isolation", self.isolation, "--host", LOOPBACK,
                   "--port", str(runtime_port),
                   "--node-config", f"partition-id={site} num-partitions={self.num_sites}",
                   "--max-wait-time", str(int(timeout))]
        if self.insecure:
            command.append("--insecure")
        else:
            command += ["--root-certificates", str(ca or self.credentials / certs.CA_CERT),
                        "--auth-supernode-private-key",
                        str(key or certs.node_keys(self.credentials, site).private_key)]
        logs = self.workdir / "logs"
        sn = self._add(start(f"supernode site {site}", command,
                             logs / f"supernode-site-{site}.log", self.env(home),
                             port=runtime_port, site=site))
        if self.isolation == "subprocess":
            if wait:
                self.wait_for_supernode(site, timeout)
            return sn
        worker = [sys.executable, "-m", "fedlearn_kit.federation.clientapp_worker",
                  "--kind", "clientapp", "--runtime-api-address", f"{LOOPBACK}:{runtime_port}",
                  "--insecure", "--parent-pid", str(sn.pid)]
        self._add(start(f"clientapp executor site {site}", worker,
                        logs / f"clientapp-executor-site-{site}.log", self.env(home),
                        site=site))
        if wait:
            self.wait_for_supernode(site, timeout)
        return sn

    def wait_for_supernode(self, site: int, timeout: float = 60.0) -> None:
        """Wait until site ``site``'s SuperNode has joined the SuperLink, or explain why not."""
        sn = self._proc(f"supernode site {site}")
        if sn is None:
            raise DeploymentError(f"No SuperNode for site {site} was started in "
                                  f"{self.workdir}.")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = _read(sn.log)
            if "SuperNode ID:" in log:
                return
            for pattern, advice in _NODE_FAULTS:
                if pattern.search(log) and ("error" in log.lower() or not sn.alive()):
                    self.stop_site(site)
                    raise DeploymentError(f"Site {site}'s SuperNode {advice}\nIts log "
                                          f"({sn.log}) ends with:\n{_tail(sn.log)}")
            if not sn.alive():
                self.stop_site(site)
                raise DeploymentError(f"Site {site}'s SuperNode (pid {sn.pid}) exited before "
                                      f"it joined the SuperLink. Its log ({sn.log}) ends "
                                      f"with:\n{_tail(sn.log)}")
            time.sleep(0.2)
        self.stop_site(site)
        raise DeploymentError(f"Site {site}'s SuperNode did not join the SuperLink at "
                              f"{self.superlink} within {timeout:.0f} s; it was stopped. Is "
                              f"the SuperLink running and reachable? Its log ({sn.log}) ends "
                              f"with:\n{_tail(sn.log)}")

    def wait_for_executors(self, timeout: float = 120.0) -> None:
        """Wait until every warm executor has imported its apps and is serving."""
        for proc in self.processes:
            if "executor" not in proc.name:
                continue
            _wait_for(lambda p=proc: "serving" in _read(p.log), proc, timeout,
                      f"the {proc.name} to import Flower and torch")

    def _drop_after(self, site: int, rounds: int) -> threading.Event:
        """Stop ``site``'s SuperNode once it has sent its evaluate reply of round ``rounds``.

        The SuperNode logs each reply it sends; the kit follows that log and stops the node
        a second after that reply, while the SuperNode waits before asking for more work. So
        the site drops out at the same point of every run: it misses rounds ``rounds + 1``
        on, and its replies up to round ``rounds`` all count.
        """
        sn = self._proc(f"supernode site {site}")
        if sn is None or not sn.alive():
            raise DeploymentError(f"Site {site}'s SuperNode is not running; nothing to stop.")
        offset = len(_read(sn.log))
        done = threading.Event()

        def follow() -> None:
            while not done.is_set():
                sent = _read(sn.log)[offset:].split("Sending: evaluate message")
                if len(sent) > rounds and "Sent successfully" in sent[rounds]:
                    # Wait until the ServerApp has pulled that reply (it looks every 0.2 s);
                    # the SuperNode itself asks for its next message only 3 s later.
                    time.sleep(_DROP_DELAY)
                    self.stop_site(site)
                    return
                time.sleep(0.05)

        threading.Thread(target=follow, daemon=True).start()
        return done

    def stop_site(self, site: int) -> list[int]:
        """Stop site ``site``'s SuperNode (SIGTERM, as ``kill PID`` does) and its executor.

        In a run, the SuperLink then answers the site's messages with "node unavailable"
        and training goes on with the other sites (at least ``min_sites``).
        """
        procs = [p for p in self.processes if p.site == site and p.alive()]
        return stop(procs)

    # ------------------------------------------------------------------ status
    def status(self) -> Any:
        """One row per process: name, site, pid, process group, alive, port, log."""
        import pandas as pd

        rows = [{"process": p.name, "pid": p.pid, "pgid": p.pgid, "alive": p.alive(),
                 "port": p.port, "log": p.log} for p in self.processes]
        return pd.DataFrame(rows, columns=["process", "pid", "pgid", "alive", "port", "log"])

    def log_lines(self, process: str, contains: str | Sequence[str] = "") -> list[str]:
        """The log of ``process`` (e.g. ``"superlink"``, ``"supernode site 1"``) without
        colour codes, keeping the lines that contain one of the ``contains`` strings."""
        proc = self._proc(process)
        if proc is None:
            raise ValueError(f"No process {process!r}; see status() for the names.")
        wanted = [contains] if isinstance(contains, str) else list(contains)
        text = _ANSI.sub("", _read(proc.log))
        return [line.strip() for line in text.splitlines()
                if any(w in line for w in wanted)]

    def check_sites(self) -> None:
        """Raise a clear error if a site's SuperNode started here is not running."""
        for site in range(self.num_sites):
            sn = self._proc(f"supernode site {site}")
            if sn is not None and not sn.alive():
                raise DeploymentError(
                    f"Site {site}'s SuperNode (pid {sn.pid}) is not running, so it cannot "
                    f"take part. Start it again with `dep.start_supernode({site})`, or run "
                    f"with min_sites below {self.num_sites}. Its log ({sn.log}) ends with:\n"
                    f"{_tail(sn.log, 10)}")
        link = self._proc("superlink")
        if link is not None and not link.alive():
            raise DeploymentError(f"The SuperLink (pid {link.pid}) is not running; start a "
                                  f"new deployment with deploy.up(). Its log ends with:\n"
                                  f"{_tail(link.log, 10)}")

    def __repr__(self) -> str:
        alive = sum(p.alive() for p in self.processes)
        mode = "INSECURE" if self.insecure else "TLS + node authentication"
        return (f"Deployment({self.num_sites} sites, SuperLink {self.superlink}, {mode}, "
                f"{alive} of {len(self.processes)} processes running, workdir={self.workdir})")

    # ------------------------------------------------------------------ runs
    def run(self, experiment: Experiment | None = None, *, min_sites: int = 1,
            server_eval: bool = True, timeout: float = 300.0, progress: bool | None = None,
            drop_site: int | None = None, drop_after_round: int = 1,
            connect_timeout: float = 60.0) -> Any:
        """Train ``experiment`` on this deployment with ``flwr run --stream``; a Result.

        ``drop_site``: stop that site's SuperNode as soon as round ``drop_after_round`` is
        over, to watch the federation carry on without it (lesson 07).
        """
        from fedlearn_kit.federation.apps import check_min_sites
        from fedlearn_kit.federation.config import write_flower_app
        from fedlearn_kit.federation.engines import _rounds_bar, load_result

        exp = experiment or Experiment()
        if exp.num_sites != self.num_sites:
            raise ValueError(f"The experiment has num_sites={exp.num_sites}, the deployment "
                             f"{self.num_sites} SuperNodes; start one SuperNode per site.")
        check_min_sites(min_sites, exp.num_sites)
        if drop_site is not None and not 0 <= drop_site < self.num_sites:
            raise ValueError(f"drop_site={drop_site}: choose a site from 0 to "
                             f"{self.num_sites - 1}.")
        self.check_sites()
        self.runs += 1
        self.save()
        run_dir = self.workdir / "runs" / f"run-{self.runs}"
        result_path = run_dir / "result.pt"
        result_path.unlink(missing_ok=True)
        app = write_flower_app(run_dir / "app", exp, min_sites=min_sites,
                               server_eval=server_eval, result_path=str(result_path),
                               connect_timeout=connect_timeout)
        _light_components(app)
        command = [_bin("flwr"), "run", str(run_dir / "app"), CONNECTION, "--stream"]
        if progress is None:
            progress = os.environ.get("FEDLEARN_PROGRESS", "1") != "0"
        start_time = time.perf_counter()
        log_path = run_dir / "flwr-run.log"

        def on_line(line: str, to_round: Callable[[int], None]) -> None:
            if m := _ROUND.search(line):
                to_round(int(m.group(1)) - 1)

        watcher = None
        if drop_site is not None:
            watcher = self._drop_after(drop_site, drop_after_round)
        try:
            with _rounds_bar(exp.num_rounds, progress, "rounds (deployment)") as to_round:
                code, lines = _stream(command, self.env(), log_path, timeout,
                                      lambda line: on_line(line, to_round))
                to_round(exp.num_rounds)
        finally:
            if watcher is not None:
                watcher.set()
        if code != 0 or not result_path.exists():
            raise DeploymentError(f"`flwr run` ended (exit code {code}) without a result. "
                                  f"Its output ({log_path}) ended with:\n"
                                  + "".join(lines[-40:]))
        return load_result(exp, result_path, "deployment", time.perf_counter() - start_time)

    # ------------------------------------------------------------------ shutdown
    def down(self, grace: float = 5.0) -> dict[str, list[int]]:
        """Stop every process of this deployment; report the pids stopped and open ports.

        Works from the state file alone (``deploy.down(workdir)``), e.g. after the notebook
        kernel that started the deployment crashed.
        """
        if not self.processes and not marked(self.marker):
            return {"stopped": [], "ports_still_open": []}
        stopped = stop(self.processes, self.marker, grace)
        ports = [(LOOPBACK, p.port) for p in self.processes if p.port]
        still_open = wait_ports_closed(ports, timeout=grace)
        self.processes = []
        self.save()
        return {"stopped": stopped, "ports_still_open": still_open}

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


def _light_components(pyproject: Path) -> None:
    """Point the app's components at a small module in the app folder (see above)."""
    (pyproject.parent / f"{COMPONENTS_MODULE}.py").write_text(_COMPONENTS_SOURCE)
    text = pyproject.read_text()
    text = re.sub(r'serverapp = ".*"', f'serverapp = "{COMPONENTS_MODULE}:server_app"', text)
    text = re.sub(r'clientapp = ".*"', f'clientapp = "{COMPONENTS_MODULE}:client_app"', text)
    pyproject.write_text(text)


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _wait_for(ready: Callable[[], bool], proc: Proc, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if not proc.alive():
            raise DeploymentError(f"The {proc.name} (pid {proc.pid}) exited while the kit "
                                  f"waited for {what}. Its log ({proc.log}) ends with:\n"
                                  f"{_tail(proc.log)}")
        if time.monotonic() > deadline:
            raise DeploymentError(f"Waited {timeout:.0f} s for {what}; see {proc.log}:\n"
                                  f"{_tail(proc.log)}")
        time.sleep(0.1)


def _stream(command: list[str], env: dict[str, str], log_path: Path, timeout: float,
            on_line: Callable[[str], None]) -> tuple[int, list[str]]:
    """Run ``command``, copy its output to ``log_path``, call ``on_line`` for each line."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)

    def follow() -> None:
        assert proc.stdout is not None
        began = time.monotonic()
        with open(log_path, "w") as log:
            for line in proc.stdout:
                lines.append(line)
                log.write(f"{time.monotonic() - began:7.2f}s | {line}")
                log.flush()
                on_line(line)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        reader.join(timeout=5)
        raise TimeoutError(f"`flwr run` did not finish within {timeout:.0f} s and was "
                              f"stopped; the deployment is still up (`down()` stops it). "
                              f"Its output ended with:\n" + "".join(lines[-40:])) from None
    reader.join(timeout=5)
    return code, lines


# ---------------------------------------------------------------------- module functions

def _existing(workdir: Path) -> Deployment | None:
    try:
        return load(workdir)
    except FileNotFoundError:
        return None


def _fresh(workdir: Path, superlink: str, num_sites: int, insecure: bool,
           isolation: str = "process") -> Deployment:
    """A new Deployment in ``workdir``, refusing to start over one that still runs."""
    if num_sites < 1:
        raise ValueError(f"num_sites={num_sites}: a deployment needs at least one site.")
    old = _existing(workdir)
    if old is not None and any(p.alive() for p in old.processes):
        raise DeploymentError(f"A deployment is already running in {workdir} ({old!r}). "
                              "Stop it first: deploy.down(workdir) or "
                              f"`fedlearn-kit deploy down --workdir {workdir}`.")
    for old in ("logs", "runs"):  # the files of a previous deployment in this folder
        shutil.rmtree(Path(workdir) / old, ignore_errors=True)
    if isolation not in ("process", "subprocess"):
        raise ValueError(f"isolation={isolation!r}: choose 'process' (the kit's warm "
                         "executors, fast) or 'subprocess' (Flower's default, slow).")
    return Deployment(Path(workdir), superlink, num_sites, insecure, isolation=isolation)


def link(num_sites: int = 2, workdir: str | Path | None = None, *, host: str = LOOPBACK,
         port: int | None = None, advertise: str | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = 30.0, isolation: str = "process"
         ) -> Deployment:
    """Start the coordinator's side: credentials, SuperLink, registered site keys.

    ``host`` is where the SuperLink listens; ``advertise`` the address sites will use (it
    goes into the TLS certificate). Both stay on loopback unless ``allow_network=True``.
    """
    _check_host(host, allow_network)
    workdir = Path(workdir or DEFAULT_WORKDIR).resolve()
    advertise = advertise or (LOOPBACK if host in (LOOPBACK, "0.0.0.0") else host)
    if port is None:
        port = free_port(LOOPBACK)
    dep = _fresh(workdir, f"{advertise}:{port}", num_sites, insecure, isolation)
    require_free(host, port, "SuperLink")
    if not insecure:
        certs.make_ca(dep.credentials)
        certs.make_server_cert(dep.credentials, tuple(dict.fromkeys(
            (LOOPBACK, "localhost", advertise))))
        for site in range(num_sites):
            certs.make_node_keys(dep.credentials, site)
    dep.write_flower_config()
    try:
        dep.start_superlink(host, port, timeout)
        dep.register_nodes()
    except BaseException:
        dep.down()
        raise
    return dep


def up(num_sites: int = 2, workdir: str | Path | None = None, *, insecure: bool = False,
       port: int | None = None, timeout: float = 60.0, isolation: str = "process",
       replace: bool = False, stop_at_exit: bool = False) -> Deployment:
    """Start a whole federation on loopback: SuperLink plus one SuperNode per site.

    TLS and SuperNode authentication are on; ``insecure=True`` turns both off (only when
    asked by name). ``port``: the SuperLink's port (default: a free one). ``isolation``:
    ``"process"`` runs each message in a process forked from a warm executor;
    ``"subprocess"`` is Flower's default, a fresh Python process per message (slow).
    ``replace``: first stop a deployment still recorded in ``workdir`` (e.g. left behind by
    a notebook kernel that crashed). ``stop_at_exit``: stop everything when this Python
    process ends (a notebook kernel that is shut down or restarted).
    """
    if replace:
        down(workdir)
    dep = link(num_sites, workdir, port=port, insecure=insecure, timeout=timeout,
               isolation=isolation)
    if stop_at_exit:
        atexit.register(dep.down)
    try:
        for site in range(num_sites):
            dep.start_supernode(site, wait=False)
        for site in range(num_sites):
            dep.wait_for_supernode(site, timeout)
        dep.wait_for_executors(max(timeout, 120.0))
    except BaseException:
        dep.down()
        raise
    return dep


def node(superlink: str, site: int, num_sites: int, workdir: str | Path | None = None, *,
         ca: str | Path | None = None, key: str | Path | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = 60.0) -> Deployment:
    """A participant's side: one SuperNode for ``site`` joining the SuperLink at ``superlink``.

    ``ca`` and ``key`` are the files the facilitator handed out (``ca.crt``, ``site-K``).
    """
    host = superlink.rsplit(":", 1)[0]
    _check_host(host, allow_network)
    workdir = Path(workdir or DEFAULT_WORKDIR / f"node-{site}").resolve()
    dep = _existing(workdir)
    if dep is None or not any(p.alive() for p in dep.processes):
        dep = _fresh(workdir, superlink, num_sites, insecure)
    if not insecure:
        for path, what in ((ca, "--ca (the facilitator's ca.crt)"),
                           (key, f"--key (the private key site-{site})")):
            if path is None or not Path(path).exists():
                raise FileNotFoundError(f"Missing {what}: {path}.")
    dep.start_supernode(site, key=key, ca=ca, timeout=timeout)
    return dep


def load(workdir: str | Path | None = None) -> Deployment:
    """The deployment recorded in ``workdir`` (for status and down, also after a crash)."""
    workdir = Path(workdir or DEFAULT_WORKDIR).resolve()
    path = workdir / STATE_FILE
    if not path.exists():
        raise FileNotFoundError(f"No deployment state in {workdir} ({STATE_FILE} missing).")
    state, procs = load_state(path)
    return Deployment(workdir, str(state["superlink"]), int(state["num_sites"]),  # type: ignore[call-overload]
                      bool(state["insecure"]), str(state["marker"]), procs,
                      int(state.get("runs", 0)),  # type: ignore[call-overload]
                      str(state.get("isolation", "process")))


def status(workdir: str | Path | None = None) -> Any:
    """The process table of the deployment in ``workdir``."""
    return load(workdir).status()


def down(workdir: str | Path | None = None) -> dict[str, list[int]]:
    """Stop the deployment recorded in ``workdir``; safe to call twice."""
    try:
        dep = load(workdir)
    except FileNotFoundError:
        return {"stopped": [], "ports_still_open": []}
    return dep.down()


def run_deployment(experiment: Experiment, *, min_sites: int = 1, server_eval: bool = True,
                   deployment: Deployment | None = None, workdir: str | Path | None = None,
                   insecure: bool = False, timeout: float = 300.0, progress: bool | None = None,
                   **run_options: Any) -> Any:
    """``federation.run(exp, engine="deployment")``: on ``deployment``, or on a fresh one.

    Without ``deployment``, a deployment already running in ``workdir`` (for example one
    started with ``fedlearn-kit deploy up``) is used if it has one SuperNode per site;
    otherwise the kit starts a federation for the run (TLS and node authentication on
    unless ``insecure=True``) and always stops it afterwards.
    """
    if deployment is None:
        running = _existing(Path(workdir or DEFAULT_WORKDIR).resolve())
        if (running is not None and running.num_sites == experiment.num_sites
                and any(p.alive() for p in running.processes)):
            deployment = running
    if deployment is not None:
        return deployment.run(experiment, min_sites=min_sites, server_eval=server_eval,
                              timeout=timeout, progress=progress, **run_options)
    with up(experiment.num_sites, workdir, insecure=insecure) as dep:
        return dep.run(experiment, min_sites=min_sites, server_eval=server_eval,
                       timeout=timeout, progress=progress, **run_options)


# ---------------------------------------------------------------------- command line

def _print_deployment(dep: Deployment) -> None:
    print(repr(dep))
    print(f"SuperLink address: {dep.superlink}   FLWR_HOME: {dep.flwr_home}")
    for p in dep.processes:
        port = f" port {p.port}" if p.port else ""
        print(f"  {p.name:<28} pid {p.pid:<7} pgid {p.pgid:<7}{port:<11} log {p.log}")


def _cmd_up(args: argparse.Namespace) -> int:
    dep = up(args.sites, args.workdir, insecure=args.insecure, port=args.port)
    _print_deployment(dep)
    print(f"Stop everything with: fedlearn-kit deploy down --workdir {dep.workdir}")
    return 0


def _cmd_link(args: argparse.Namespace) -> int:
    dep = link(args.sites, args.workdir, host=args.host, port=args.port,
               advertise=args.advertise, insecure=args.insecure,
               allow_network=args.host != LOOPBACK or bool(args.advertise))
    _print_deployment(dep)
    if not dep.insecure:
        print(f"\nHand out to each participant K: {dep.credentials / certs.CA_CERT} and "
              f"{dep.credentials}/site-K (private key, for that site only). Each runs:")
        print(f"  fedlearn-kit deploy node --superlink {dep.superlink} --site K --sites "
              f"{dep.num_sites} --ca ca.crt --key site-K")
    return 0


def _cmd_node(args: argparse.Namespace) -> int:
    dep = node(args.superlink, args.site, args.sites, args.workdir, ca=args.ca, key=args.key,
               insecure=args.insecure,
               allow_network=args.superlink.rsplit(":", 1)[0] not in (LOOPBACK, "localhost"))
    _print_deployment(dep)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    dep = load(args.workdir)
    _print_deployment(dep)
    return 0 if any(p.alive() for p in dep.processes) else 1


def _cmd_down(args: argparse.Namespace) -> int:
    report = down(args.workdir)
    print(f"Stopped {len(report['stopped'])} process(es): {report['stopped']}")
    if report["ports_still_open"]:
        print(f"Ports still open: {report['ports_still_open']}", file=sys.stderr)
        return 1
    print("No process and no port of the deployment is left.")
    return 0


def register_cli(sub: Any) -> None:
    """Add ``fedlearn-kit deploy up|status|down|link|node`` to the kit's command line."""
    deploy = sub.add_parser("deploy", help="start and stop Flower's SuperLink and SuperNodes")
    cmds = deploy.add_subparsers(dest="deploy_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--workdir", default=None,
                       help=f"the deployment's folder (default {DEFAULT_WORKDIR})")

    p = cmds.add_parser("up", help="SuperLink + one SuperNode per site on this machine")
    p.add_argument("--sites", type=int, default=2, help="number of sites (default 2)")
    p.add_argument("--port", type=int, default=None, help="SuperLink port (default: free)")
    p.add_argument("--insecure", action="store_true", help="no TLS, no node authentication")
    common(p)
    p.set_defaults(handler=_cmd_up)

    p = cmds.add_parser("link", help="facilitator: the SuperLink and credentials to hand out")
    p.add_argument("--sites", type=int, default=2)
    p.add_argument("--host", default=LOOPBACK,
                   help="interface to listen on (0.0.0.0 for the room's network)")
    p.add_argument("--advertise", default=None,
                   help="address participants use (goes into the TLS certificate)")
    p.add_argument("--port", type=int, default=9092)
    p.add_argument("--insecure", action="store_true")
    common(p)
    p.set_defaults(handler=_cmd_link)

    p = cmds.add_parser("node", help="participant: one SuperNode joining a SuperLink")
    p.add_argument("--superlink", required=True, help="HOST:PORT of the SuperLink")
    p.add_argument("--site", type=int, required=True, help="this site's number K (from 0)")
    p.add_argument("--sites", type=int, default=2, help="number of sites in the federation")
    p.add_argument("--ca", default=None, help="the facilitator's ca.crt")
    p.add_argument("--key", default=None, help="this site's private key file (site-K)")
    p.add_argument("--insecure", action="store_true")
    common(p)
    p.set_defaults(handler=_cmd_node)

    for name, handler, text in (("status", _cmd_status, "processes, ports and logs"),
                                ("down", _cmd_down, "stop every process, free every port")):
        p = cmds.add_parser(name, help=text)
        common(p)
        p.set_defaults(handler=handler)
