"""Start, wait for and stop a deployment's processes: SuperLink, SuperNodes, executors.

Each function takes the :class:`~.state.Deployment` it works on and records every process
it starts there (pid, process group, port, log), so ``down`` can stop it later, also from
another Python process.

Speed: Flower's default (``isolation="subprocess"``) starts a new Python process for every
message, which imports torch each time. The kit starts Flower with ``--isolation process``
and runs its warm executor (:mod:`.executor`) next to each SuperNode and the SuperLink. Where
that executor cannot run (no ``os.fork``, or a Flower whose internals it needs changed;
see :mod:`fedlearn_kit.federation._flower`), the kit falls back to Flower's own isolation
(:func:`choose_isolation`). The waits and timeouts are in
:mod:`fedlearn_kit.federation.settings`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from fedlearn_kit.federation import _flower, settings
from fedlearn_kit.federation.deployment import (
    certs,
    credentials,
    diagnose,
    executor,
    flower_launcher,
    registration,
)
from fedlearn_kit.federation.deployment.process_control import (
    LOOPBACK,
    DeploymentError,
    Proc,
    free_port,
    marked,
    port_open,
    require_free,
    start,
    stop,
    wait_ports_closed,
)
from fedlearn_kit.i18n import _

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment.state import Deployment

#: ``"process"``: the kit's warm executors (fast); ``"subprocess"``: Flower's default.
ISOLATIONS = ("process", "subprocess")
#: The module the kit runs as its warm executor.
EXECUTOR = "fedlearn_kit.federation.deployment.executor"


def choose_isolation(isolation: str) -> str:
    """``isolation``, or Flower's own ``"subprocess"`` where the warm executor cannot run."""
    if isolation not in ISOLATIONS:
        raise ValueError(_("isolation={isolation}: choose 'process' (the kit's warm "
                           "executors, fast) or 'subprocess' (Flower's default, slow).").format(
            isolation=repr(isolation)))
    if isolation == "process" and not _flower.warm_executor_available():
        return "subprocess"
    return isolation


def wait_for(ready: Callable[[], bool], proc: Proc, timeout: float, what: str,
             poll: float = settings.READY_POLL) -> None:
    """Wait until ``ready()``; a clear error if ``proc`` exits first or time runs out.
    ``what`` is what is awaited, translated, to follow "waited for" in the error."""
    deadline = time.monotonic() + timeout
    while not ready():
        if not proc.alive():
            raise DeploymentError(_("The {process} (pid {pid}) exited while the kit waited "
                                    "for {what}. Its log ({log}) ends with:\n{tail}").format(
                process=proc.name, pid=proc.pid, what=what, log=proc.log,
                tail=diagnose.tail(proc.log)))
        if time.monotonic() > deadline:
            raise DeploymentError(_("Waited {timeout} s for {what}; see {log}:\n{tail}").format(
                timeout=f"{timeout:.0f}", what=what, log=proc.log,
                tail=diagnose.tail(proc.log)))
        time.sleep(poll)


def tls_args(dep: Deployment, server: bool = False) -> list[str]:
    """Flower's TLS flags for the SuperLink (``server``) or a client of it."""
    if dep.insecure:
        return ["--insecure"]
    c = dep.credentials
    if server:
        return ["--ssl-ca-certfile", str(c / certs.CA_CERT),
                "--ssl-certfile", str(c / certs.SERVER_CERT),
                "--ssl-keyfile", str(c / certs.SERVER_KEY), "--enable-supernode-auth"]
    return ["--root-certificates", str(c / certs.CA_CERT)]


# ---------------------------------------------------------------------- starting

def start_superlink(dep: Deployment, host: str = LOOPBACK, port: int | None = None,
                    timeout: float = settings.SUPERLINK_START_TIMEOUT,
                    database: Path | None = None) -> Proc:
    """Start the SuperLink (and its warm ServerApp executor); wait until it answers."""
    port = port or int(dep.superlink.rsplit(":", 1)[1])
    require_free(host, port, "SuperLink")
    logs = dep.workdir / "logs"
    command = [*flower_launcher.command("superlink"), *tls_args(dep, server=True),
               "--isolation", dep.isolation, "--disable-runtime-dependency-installation",
               "--host", host, "--port", str(port),
               # A room's SuperLink keeps its registrations and nodes across a restart.
               *(["--database", str(database)] if database else [])]
    link = dep.add_process(start("superlink", command, logs / "superlink.log", dep.env(),
                                 port=port))
    wait_for(lambda: port_open(host, port), link, timeout,
             _("the SuperLink to listen on {address}").format(address=f"{host}:{port}"))
    if dep.isolation == "subprocess":  # Flower starts flower-superexec itself
        return link
    runtime = f"{LOOPBACK}:{port}"
    worker = [sys.executable, "-m", EXECUTOR, "--kind", "serverapp",
              "--runtime-api-address", runtime, "--parent-pid", str(link.pid),
              *tls_args(dep)]
    dep.add_process(start("serverapp executor", worker, logs / "serverapp-executor.log",
                          dep.env()))
    return link


def node_config(dep: Deployment, site: int) -> str:
    """Site ``site``'s ``--node-config``: which site it is and the file of its patients.

    A SuperNode started without that file (a participant's laptop) gets the course's
    default patients of its site; a run on this machine writes its experiment's there.
    """
    path = dep.site_data(site)
    if not path.exists():
        from fedlearn_kit.cohort import generate_site  # numpy and pandas, not torch
        from fedlearn_kit.experiment import Experiment

        exp = Experiment(num_sites=dep.num_sites)
        path.parent.mkdir(parents=True, exist_ok=True)
        generate_site(exp.sites()[site], exp.seed, site).to_csv(path, index=False)
    if "'" in str(path):
        raise ValueError(_("{path}: Flower's --node-config cannot hold a path with a quote "
                           "(').").format(path=path))
    return f"partition-id={site} num-partitions={dep.num_sites} data-path='{path}'"


def start_supernode(dep: Deployment, site: int, key: str | Path | None = None,
                    ca: str | Path | None = None, wait: bool = True,
                    timeout: float = settings.SUPERNODE_JOIN_TIMEOUT,
                    executor: str = "own") -> Proc:
    """Start site ``site``'s SuperNode and, unless told, its ClientApp executor.

    ``executor``: ``"own"`` starts an executor for this SuperNode alone that imports
    torch when its first message arrives (a participant's laptop); ``"warm"`` one that
    imports at once (a site rejoining a running federation); ``"shared"`` none, because
    the caller starts one executor for every SuperNode on this machine
    (:func:`start_shared_executor`).
    """
    if not 0 <= site < dep.num_sites:
        raise ValueError(_("site={site}: this deployment has sites 0 to {last}.").format(
            site=site, last=dep.num_sites - 1))
    runtime_port = free_port(LOOPBACK)
    home = dep.workdir / f"site-{site}" / "flwr"
    home.mkdir(parents=True, exist_ok=True)
    # No --max-wait-time: Flower's default keeps retrying, so SuperNodes survive a
    # SuperLink restart of any length (a facilitator's reboot); the kit's own wait
    # below bounds the first join.
    command = [*flower_launcher.command("supernode"), "--superlink", dep.superlink,
               "--isolation", dep.isolation, "--host", LOOPBACK,
               "--port", str(runtime_port),
               "--node-config", node_config(dep, site)]
    if dep.insecure:
        command.append("--insecure")
    else:
        ca = Path(ca or dep.credentials / certs.CA_CERT)
        credentials.check_ca_certificate(ca)
        key = credentials.check_private_key(key or dep.site_keys(site) / f"site-{site}", site)
        command += ["--root-certificates", str(ca), "--auth-supernode-private-key", str(key)]
    logs = dep.workdir / "logs"
    sn = dep.add_process(start(f"supernode site {site}", command,
                               logs / f"supernode-site-{site}.log", dep.env(home),
                               port=runtime_port, site=site))
    if dep.isolation == "subprocess" or executor == "shared":
        if wait:
            wait_for_supernodes(dep, [site], timeout)
        return sn
    worker = [sys.executable, "-m", EXECUTOR, "--kind", "clientapp",
              "--runtime-api-address", f"{LOOPBACK}:{runtime_port}",
              "--insecure", "--parent-pid", str(sn.pid),
              *(["--lazy"] if executor == "own" else [])]
    dep.add_process(start(f"clientapp executor site {site}", worker,
                          logs / f"clientapp-executor-site-{site}.log", dep.env(home),
                          site=site))
    if wait:
        wait_for_supernodes(dep, [site], timeout)
        dep.wake()  # a site rejoining a run asks for work at once, not in 10 s
    return sn


def start_shared_executor(dep: Deployment, sites: Sequence[int]) -> Proc | None:
    """One warm ClientApp executor for the SuperNodes of ``sites`` on this machine.

    torch and the apps are then imported once for all of them, not once per site;
    each message still runs in its own forked process.
    """
    if dep.isolation == "subprocess":
        return None
    worker = [sys.executable, "-m", EXECUTOR, "--kind", "clientapp", "--insecure"]
    for site in sites:
        sn = dep.process(f"supernode site {site}")
        if sn is None or sn.port is None:
            raise DeploymentError(_("No SuperNode for site {site} to serve.").format(site=site))
        worker += ["--runtime-api-address", f"{LOOPBACK}:{sn.port}",
                   "--parent-pid", str(sn.pid)]
    return dep.add_process(start("clientapp executor", worker,
                                 dep.workdir / "logs" / "clientapp-executor.log", dep.env()))


# ---------------------------------------------------------------------- waiting

def joined(dep: Deployment, sites: Sequence[int]) -> set[int]:
    """Which of ``sites`` the SuperLink sees online.

    The coordinator asks the SuperLink (``flwr supernode list``): by node id where the
    kit registered the sites' keys, by count on an insecure deployment. A participant's
    machine (``node``) has no Control API connection, so there the SuperNode's own log
    line is the best available hint (see ``_flower.NODE_JOINED_HINT``).
    """
    hinted = {s for s in sites if (sn := dep.process(f"supernode site {s}")) is not None
              and _flower.NODE_JOINED_HINT in diagnose.read(sn.log)}
    if not (dep.flwr_home / "config.toml").exists():
        return hinted
    if hinted != set(sites):  # ask the SuperLink once every log says so: `flwr` costs
        return set()           # a second of CPU per call, too much to poll with
    online = registration.online_nodes(dep)
    if dep.node_ids:
        return {s for s in sites if dep.node_ids.get(s) in online}
    running = [p for p in dep.processes if p.name.startswith("supernode") and p.alive()]
    return set(sites) if len(online) >= len(running) else set()


def wait_for_supernodes(dep: Deployment, sites: Sequence[int],
                        timeout: float = settings.SUPERNODE_JOIN_TIMEOUT) -> None:
    """Wait until the SuperNodes of ``sites`` have joined the SuperLink, or explain why not.

    Fails early, with advice, when a SuperNode exits or its log shows a known fault
    (:func:`.diagnose.explain_node_fault`); otherwise shows the log's tail. A SuperNode
    that fails is stopped with everything it started. A SuperNode whose key the SuperLink
    refused is started again for :data:`~fedlearn_kit.federation.settings.KEY_IN_USE_RETRY`
    seconds first: right after a crash the SuperLink still counts the old connection
    (until two heartbeats are missed), and a rejoin then succeeds by itself.
    """
    waiting = list(sites)
    nodes = {}
    for site in waiting:
        sn = dep.process(f"supernode site {site}")
        if sn is None:
            raise DeploymentError(_("No SuperNode for site {site} was started in {folder}."
                                    ).format(site=site, folder=dep.workdir))
        nodes[site] = sn
    start = time.monotonic()
    deadline = start + timeout
    while waiting and time.monotonic() < deadline:
        for site in waiting:
            sn = nodes[site]
            exited = not sn.alive()
            log = diagnose.read(sn.log)
            advice = diagnose.explain_node_fault(log, exited, site)
            if (advice and diagnose.REFUSED.search(log)
                    and time.monotonic() - start < settings.KEY_IN_USE_RETRY):
                nodes[site] = _start_again(dep, site, sn)
                continue
            if advice:
                stop_site(dep, site)
                raise DeploymentError(_("{advice}{superlink_says}\nIts log ({log}) ends with:"
                                        "\n{tail}").format(
                    advice=advice, superlink_says=_superlinks_word(dep), log=sn.log,
                    tail=diagnose.tail(sn.log)))
            if exited:
                stop_site(dep, site)
                raise DeploymentError(_("Site {site}'s SuperNode (pid {pid}) exited before "
                                        "it joined the SuperLink. Its log ({log}) ends with:"
                                        "\n{tail}").format(site=site, pid=sn.pid, log=sn.log,
                                                           tail=diagnose.tail(sn.log)))
        now_joined = joined(dep, waiting)
        waiting = [s for s in waiting if s not in now_joined]
        if waiting:
            time.sleep(settings.JOIN_POLL)
    for site in waiting:
        sn = nodes[site]
        stop_site(dep, site)
        raise DeploymentError(_("Site {site}'s SuperNode did not join the SuperLink at "
                                "{superlink} within {timeout} s; it was stopped. Is the "
                                "SuperLink running and reachable? Its log ({log}) ends with:"
                                "\n{tail}").format(site=site, superlink=dep.superlink,
                                                   timeout=f"{timeout:.0f}", log=sn.log,
                                                   tail=diagnose.tail(sn.log)))


def _superlinks_word(dep: Deployment) -> str:
    """What the SuperLink's log says about refused keys, where it runs on this machine."""
    link = dep.process("superlink")
    if link is None:
        return ""
    notes = diagnose.refusals(diagnose.read(link.log), registration.node_sites(dep))
    return "".join("\n" + _("The SuperLink's log says: {note}").format(note=note)
                   for note in notes)


def _start_again(dep: Deployment, site: int, sn: Proc) -> Proc:
    """Start site ``site``'s refused SuperNode again, with the same command, a second later."""
    stop_site(dep, site)
    time.sleep(settings.JOIN_POLL * 3)
    key = _option(sn.command, "--auth-supernode-private-key")
    ca = _option(sn.command, "--root-certificates")
    had_executor = any(p.site == site and "executor" in p.name for p in dep.processes)
    return start_supernode(dep, site, key=key, ca=ca, wait=False,
                           executor="own" if had_executor else "shared")


def _option(command: Sequence[str], name: str) -> str | None:
    """The value after ``name`` in ``command``, if any."""
    try:
        return command[command.index(name) + 1]
    except (ValueError, IndexError):
        return None


def _serving(log: str) -> bool:
    """True once a warm executor's log has its own ready line (``executor.SERVING``)."""
    return executor.SERVING in diagnose.read(log)


def wait_for_executors(dep: Deployment,
                       timeout: float = settings.EXECUTOR_WARM_TIMEOUT) -> None:
    """Wait until every warm executor has imported its apps and is serving."""
    for proc in dep.processes:
        if "executor" not in proc.name:
            continue
        # The executor's own line (executor.SERVING), not one of Flower's.
        wait_for(partial(_serving, proc.log), proc, timeout,
                 _("the {process} to import Flower and torch").format(process=proc.name))


def check_sites(dep: Deployment, min_sites: int | None = None) -> None:
    """Raise a clear error if fewer SuperNodes started here run than the run needs.

    ``min_sites`` (default: every site) is the fewest sites a round needs; a dead
    SuperNode is fine as long as enough others run (it is reported as missing).
    """
    need = dep.num_sites if min_sites is None else min_sites
    recorded = [(s, sn) for s in range(dep.num_sites)
                if (sn := dep.process(f"supernode site {s}")) is not None]
    dead = [(s, sn) for s, sn in recorded if not sn.alive()]
    if recorded and len(recorded) - len(dead) < need:
        site, sn = dead[0]
        raise DeploymentError(_(
            "Site {site}'s SuperNode (pid {pid}) is not running, and only {running} of {total} "
            "SuperNodes are, fewer than min_sites={need}. Start it again with "
            "`dep.start_supernode({site})`, or run with a lower min_sites. Its log ({log}) "
            "ends with:\n{tail}").format(site=site, pid=sn.pid,
                                         running=len(recorded) - len(dead),
                                         total=len(recorded), need=need, log=sn.log,
                                         tail=diagnose.tail(sn.log, 10)))
    link = dep.process("superlink")
    if link is not None and not link.alive():
        raise DeploymentError(_("The SuperLink (pid {pid}) is not running; start a new "
                                "deployment with deployment.up(). Its log ends with:\n{tail}"
                                ).format(pid=link.pid, tail=diagnose.tail(link.log, 10)))


# ---------------------------------------------------------------------- stopping

def stop_site(dep: Deployment, site: int) -> list[int]:
    """Stop site ``site``'s SuperNode (SIGTERM, as ``kill PID`` does) and its executor."""
    procs = [p for p in dep.processes if p.site == site and p.alive()]
    return stop(procs)


def stop_all(dep: Deployment, grace: float = settings.STOP_GRACE) -> dict[str, list[int]]:
    """Stop every process of ``dep``; report each pid once, and the ports.

    Works from the state file alone, e.g. after the notebook kernel that started the
    deployment crashed: the marker in each process's environment finds its children too
    (and :func:`.state.load` has adopted running processes the state file missed).
    ``stopped``: the pids signalled; ``already_gone``: recorded processes that had ended
    before (never signalled); ``ports_still_open``: a port of a process this deployment
    ran that still listens; ``ports_held_by_others``: a recorded port on which another
    program listens now (a stale state file: not this deployment's, so not a failure).
    """
    markers = {dep.marker, *(p.marker for p in dep.processes if p.marker)}
    if not dep.processes and not any(marked(m) for m in markers):
        return {"stopped": [], "already_gone": [], "ports_still_open": [],
                "ports_held_by_others": []}
    running = [p for p in dep.processes if p.alive()]
    ours = {p.port for p in running if p.port}
    stopped: list[int] = []
    for marker in sorted(markers):
        stopped += [pid for pid in stop(running if marker == dep.marker else [], marker,
                                        grace) if pid not in stopped]
    gone = [p.pid for p in dep.processes if p not in running and p.pid not in stopped]
    still_open = wait_ports_closed([(LOOPBACK, port) for port in sorted(ours)], timeout=grace)
    others = sorted({p.port for p in dep.processes if p.port and p.port not in ours
                     and port_open(LOOPBACK, p.port)})
    dep.processes = []
    dep.save()
    return {"stopped": stopped, "already_gone": gone, "ports_still_open": still_open,
            "ports_held_by_others": others}
