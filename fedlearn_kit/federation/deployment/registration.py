"""The coordinator's ``flwr`` connection and the sites' registered keys (lesson 07).

With SuperNode authentication on, the SuperLink accepts only SuperNodes whose public key
was registered with ``flwr supernode register``; ``flwr supernode list`` then shows which
are online. Both commands go through the connection :func:`write_flower_config` writes
into the deployment's own ``FLWR_HOME`` (never ``~/.flwr``), and their JSON is read by
:mod:`fedlearn_kit.federation._flower`. The coordinator keeps a copy of each site's public
half only, never a private key.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fedlearn_kit.federation import _flower, settings
from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.federation.deployment.credentials import fingerprint
from fedlearn_kit.federation.deployment.process_control import (
    CONNECTION,
    DeploymentError,
    flower_command,
)
from fedlearn_kit.i18n import _

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment.state import Deployment


def write_flower_config(dep: Deployment) -> Path:
    """``FLWR_HOME/config.toml``: the one SuperLink connection ``flwr`` uses."""
    lines = ["[superlink]", f'default = "{CONNECTION}"', "",
             f"[superlink.{CONNECTION}]", f'address = "{dep.superlink}"']
    if dep.insecure:
        lines.append("insecure = true")
    else:
        lines.append(f'root-certificates = "{dep.credentials / certs.CA_CERT}"')
    dep.flwr_home.mkdir(parents=True, exist_ok=True)
    path = dep.flwr_home / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


#: The registrations (site -> node id, fingerprint) in ``FLWR_HOME``, beside the
#: SuperLink's database that holds the keys, so a lost state file does not lose them.
REGISTRATIONS = "registrations.json"


def registrations_file(dep: Deployment) -> Path:
    """Where :func:`register_nodes` keeps the registrations (read by the ServerApp)."""
    return dep.flwr_home / REGISTRATIONS


def saved_registrations(dep: Deployment) -> tuple[dict[int, int], dict[int, str]]:
    """The node ids and fingerprints saved beside the registered keys ({} if none)."""
    try:
        data = json.loads(registrations_file(dep).read_text())
        return ({int(k): int(v) for k, v in data["node_ids"].items()},
                {int(k): str(v) for k, v in data["registered"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, {}


def _save_registrations(dep: Deployment) -> None:
    dep.flwr_home.mkdir(parents=True, exist_ok=True)
    registrations_file(dep).write_text(json.dumps(
        {"node_ids": {str(k): v for k, v in dep.node_ids.items()},
         "registered": {str(k): v for k, v in dep.registered.items()}}, indent=2))


def node_sites(dep: Deployment) -> dict[int, int]:
    """Each registered node id's site: whom the SuperLink lets in under which key."""
    return {node: site for site, node in dep.node_ids.items()}


def add_public_keys(dep: Deployment, keys: dict[int, Path]) -> None:
    """Copy the sites' public keys into ``dep.public_keys`` (the coordinator's copy)."""
    dep.public_keys.mkdir(parents=True, exist_ok=True)
    for site, path in keys.items():
        target = dep.public_keys / f"site-{site}.pub"
        if path.resolve() != target.resolve():
            shutil.copyfile(path, target)


def register_nodes(dep: Deployment, sites: Sequence[int] | None = None,
                   timeout: float = settings.FLWR_COMMAND_TIMEOUT) -> dict[int, int]:
    """Register the sites' public keys with ``flwr supernode register`` (in parallel).

    Returns (and keeps in the state file) each site's SuperNode id, which
    ``flwr supernode list`` later shows as online once that site has joined. A key
    registered before (same fingerprint, e.g. a restarted room) is not registered again.
    """
    if dep.insecure:
        return {}
    if sites is None:
        sites = sorted(int(p.name[5:-4]) for p in dep.public_keys.glob("site-*.pub"))
    todo = []
    for site in sites:
        pub = dep.public_keys / f"site-{site}.pub"
        if not pub.exists():
            raise DeploymentError(_("No public key for site {site} in {folder}.").format(
                site=site, folder=dep.public_keys))
        if dep.registered.get(site) == fingerprint(pub) and site in dep.node_ids:
            continue  # already in the SuperLink's database (a restarted room)
        todo.append((site, pub))
    # A few `flwr` commands at a time: each costs a second of CPU to start, and twenty
    # at once on a 2-core laptop only make every one of them late.
    at_once = settings.REGISTER_AT_ONCE
    for first in range(0, len(todo), at_once):
        batch = todo[first:first + at_once]
        jobs = [subprocess.Popen(
            [flower_command("flwr"), "supernode", "register", str(pub), CONNECTION,
             "--name", f"site-{site}", "--format", "json"], env=dep.env(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for site, pub in batch]
        for (site, pub), job in zip(batch, jobs, strict=True):
            text = job.communicate(timeout=timeout)[0]
            if job.returncode != 0:
                raise DeploymentError(_("Registering site {site}'s key ({key}) failed:\n{output}")
                                      .format(site=site, key=pub, output=text))
            dep.node_ids[site] = _flower.registered_node_id(text)
            dep.registered[site] = fingerprint(pub)
    dep.save()
    _save_registrations(dep)
    return dict(dep.node_ids)


def online_nodes(dep: Deployment, timeout: float = settings.FLWR_LIST_TIMEOUT) -> set[int]:
    """The ids of the SuperNodes the SuperLink sees online (``flwr supernode list``)."""
    command = [flower_command("flwr"), "supernode", "list", CONNECTION, "--format", "json"]
    done = subprocess.run(command, env=dep.env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise DeploymentError(_("`flwr supernode list` failed:\n{output}").format(
            output=done.stdout + done.stderr))
    return _flower.online_node_ids(done.stdout)
