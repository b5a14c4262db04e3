"""A workshop room: the facilitator's SuperLink and each participant's own SuperNode.

The two halves of a deployment, started on different laptops (``fedlearn-kit deploy
link|keygen|register|node``; ``docs/deployment.md``):

- the facilitator runs :func:`link`: the room's CA, the SuperLink's certificate
  (:func:`reuse_or_make_certificates`: reused after a reboot, so nobody needs new files),
  the SuperLink, and the participants' registered public keys (:func:`register`);
- each participant runs :func:`keygen` (a key pair made on their own laptop; only the
  ``.pub`` file is handed over) and :func:`node` (one SuperNode joining the room).

The coordinator never holds a site's private key. Everything stays on loopback unless
``allow_network=True`` asks for the room's network by name (:func:`check_host`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from fedlearn_kit.federation import settings
from fedlearn_kit.federation.deployment import (
    certs,
    credentials,
    diagnose,
    registration,
    supervisor,
)
from fedlearn_kit.federation.deployment.folders import room_workdir
from fedlearn_kit.federation.deployment.process_control import (
    LOOPBACK,
    DeploymentError,
    free_port,
    require_free,
)
from fedlearn_kit.federation.deployment.state import (
    Deployment,
    load,
    load_if_any,
    new_deployment,
)
from fedlearn_kit.i18n import _


def check_host(host: str, allow_network: bool = False) -> None:
    """Refuse an address off loopback unless ``allow_network`` asks for it by name."""
    if host not in (LOOPBACK, "localhost") and not allow_network:
        raise ValueError(_("host={host}: the kit keeps a deployment on loopback ({loopback}) "
                           "unless asked; for a workshop network use `fedlearn-kit deploy link "
                           "--host 0.0.0.0 --advertise YOUR-IP`.").format(host=repr(host),
                                                                          loopback=LOOPBACK))


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
        raise DeploymentError(_(
            "The room's SuperLink certificate ({path}) is valid for {valid_for}, not for "
            "{hosts}. Use the address it was made for, or renew it with `fedlearn-kit deploy "
            "link --renew ...` (every participant then needs the new ca.crt).").format(
            path=folder / certs.SERVER_CERT, valid_for=valid_for,
            hosts=", ".join(sorted(set(hosts) - names))))
    certs.make_ca(folder)
    certs.make_server_cert(folder, hosts)
    return True


def link(num_sites: int = 2, workdir: str | Path | None = None, *, host: str = LOOPBACK,
         port: int | None = None, advertise: str | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = settings.SUPERLINK_START_TIMEOUT,
         isolation: str = "process", keys: str | Path | None = None, renew: bool = False
         ) -> Deployment:
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
    if host == "0.0.0.0" and not advertise:
        raise ValueError(_("--host 0.0.0.0 listens on every network, but participants need "
                           "the one address they dial, which goes into the certificate: add "
                           "--advertise ADDRESS (the laptop's address or host name on the "
                           "room's network)."))
    advertise = advertise or host
    running = _running_room(workdir)
    if running is not None:
        return _adopt_room(running, num_sites, port, advertise, insecure, keys, renew)
    if port is None:
        port = free_port(LOOPBACK)
    dep = new_deployment(workdir, f"{advertise}:{port}", num_sites, insecure, isolation,
                         role="room")
    require_free(host, port, "SuperLink")
    if not insecure:
        hosts = tuple(dict.fromkeys((LOOPBACK, "localhost", advertise)))
        reuse_or_make_certificates(dep.credentials, hosts, renew)
        if renew:
            dep.node_ids, dep.registered = {}, {}
            (dep.flwr_home / "superlink.db").unlink(missing_ok=True)
            registration.registrations_file(dep).unlink(missing_ok=True)
        if keys is not None:
            registration.add_public_keys(dep, credentials.collect_public_keys(keys, num_sites))
    registration.write_flower_config(dep)
    try:
        supervisor.start_superlink(dep, host, port, timeout,
                                   database=dep.flwr_home / "superlink.db")
        registration.register_nodes(dep)
    except BaseException:
        dep.down()
        raise
    return dep


def _running_room(workdir: Path) -> Deployment | None:
    """The room whose SuperLink still runs from ``workdir`` (after a clock step, a lost
    state file, or a second ``link`` by mistake), else None."""
    old = load_if_any(workdir)
    if old is None or old.role != "room":
        return None
    superlink = old.process("superlink")
    return old if superlink is not None and superlink.alive() else None


def _adopt_room(dep: Deployment, num_sites: int, port: int | None, advertise: str,
                insecure: bool, keys: str | Path | None, renew: bool) -> Deployment:
    """Carry on with a room whose SuperLink already runs, if it is the room asked for."""
    wanted = {"sites": num_sites, "port": port or dep.superlink.rsplit(":", 1)[1],
              "address": advertise, "insecure": insecure}
    have = {"sites": dep.num_sites, "port": dep.superlink.rsplit(":", 1)[1],
            "address": dep.superlink.rsplit(":", 1)[0], "insecure": dep.insecure}
    differ = [k for k in wanted if str(wanted[k]) != str(have[k])]
    if differ or renew:
        what = ", ".join(_("{setting} {value} (asked: {wanted})").format(
            setting=k, value=have[k], wanted=wanted[k]) for k in differ) or "--renew"
        raise DeploymentError(_(
            "The room's SuperLink already runs from {folder} with other settings: {what}. Stop "
            "it first with `fedlearn-kit deploy down --workdir {folder}`, then run `deploy "
            "link` again.").format(folder=dep.workdir, what=what))
    if keys is not None and not insecure:
        found = credentials.collect_public_keys(keys, num_sites)
        registration.add_public_keys(dep, found)
        registration.register_nodes(dep, sorted(found))
    superlink = dep.process("superlink")
    dep.notes.append(_("The room's SuperLink was already running (pid {pid}): carried on "
                       "with it.").format(pid=superlink.pid if superlink else "?"))
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
                _("{path}: expected a file named site-K.pub with K from 0 to {last}.").format(
                    path=path, last=dep.num_sites - 1))
        found[int(match.group(1))] = credentials.check_public_key(path, int(match.group(1)))
    registration.add_public_keys(dep, found)
    registration.register_nodes(dep, sorted(found))
    return {s: dep.node_ids[s] for s in found}


def node(superlink: str, site: int, num_sites: int, workdir: str | Path | None = None, *,
         ca: str | Path | None = None, key: str | Path | None = None, insecure: bool = False,
         allow_network: bool = False, timeout: float = settings.SUPERNODE_JOIN_TIMEOUT
         ) -> Deployment:
    """A participant's side: one SuperNode for ``site`` joining the SuperLink at ``superlink``.

    ``ca`` is the facilitator's ``ca.crt``; ``key`` the site's private key, by default the
    one :func:`keygen` made in ``workdir/keys``. Both are checked before anything starts.
    Running it again after the SuperNode stopped (a laptop that slept) rejoins the room.
    """
    host = superlink.rsplit(":", 1)[0]
    check_host(host, allow_network)
    if not 0 <= site < num_sites:
        raise ValueError(_("--site {site}: sites are numbered from 0, so with --sites "
                           "{sites} they run from 0 to {last}.").format(
            site=site, sites=num_sites, last=num_sites - 1))
    workdir = Path(workdir or room_workdir() / f"node-{site}").resolve()
    if not insecure:
        key = credentials.check_private_key(key or workdir / "keys" / f"site-{site}", site)
        if ca is None:
            raise credentials.CredentialError(_(
                "Missing --ca: the facilitator's ca.crt (from their work/room/credentials)."))
        credentials.check_ca_certificate(ca)
    dep = load_if_any(workdir)
    if dep is not None and dep.role == "node" and any(p.alive() for p in dep.processes):
        raise DeploymentError(_("Site {site}'s SuperNode already runs from {folder}; stop it "
                                "with `fedlearn-kit deploy down --workdir {folder}`.").format(
            site=site, folder=workdir))
    dep = new_deployment(workdir, superlink, num_sites, insecure, role="node")
    try:
        supervisor.start_supernode(dep, site, key=key, ca=ca, timeout=timeout)
    except BaseException:
        dep.down()  # a failed join leaves nothing running: SuperNode, executor, children
        raise
    return dep


#: How the coordinator's ServerApp words a reply it refused (``server_app.refuse_wrong_site``).
WRONG_SITE_NOTE = "REFUSED: the node of site"


def room_report(dep: Deployment) -> list[str]:
    """What the coordinator needs to know about the sites, in sentences for ``deploy status``:
    which are connected, which keys the SuperLink refused and why, and any node that
    announced another site than its key's in the last run."""
    lines: list[str] = []
    superlink = dep.process("superlink")
    if dep.role == "node" or superlink is None or not superlink.alive():
        return lines
    if dep.node_ids:
        online = registration.online_nodes(dep)
        joined = [s for s, n in sorted(dep.node_ids.items()) if n in online]
        lines.append(_("connected sites: {sites} of {n}").format(sites=joined, n=dep.num_sites)
                     if joined else _("connected sites: none of {n}").format(n=dep.num_sites))
    lines += [_("refused: {note}").format(note=note) for note in diagnose.refusals(
        diagnose.read(superlink.log), registration.node_sites(dep))]
    last_run = dep.workdir / "runs" / f"run-{dep.runs}" / "flwr-run.log"
    for line in diagnose.lines_with(str(last_run), [WRONG_SITE_NOTE]):
        note = line[line.index(WRONG_SITE_NOTE):]
        if f"wrong site: {note}" not in lines:
            lines.append(f"wrong site: {note}")
    return lines
