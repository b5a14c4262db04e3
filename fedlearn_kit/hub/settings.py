"""What a room server is: its address, passwords, folders and limits, kept in one file.

``fedlearn-kit hub up`` writes :class:`RoomSettings` to ``<workdir>/private/room.json``
(readable by root only: it holds the passwords) and JupyterHub's configuration reads it back,
so the command line and the running hub can never disagree.

A room's work folder::

    <workdir>/                 the room (755: participants pass through it to exchange/)
      private/                 root only (700): room.json, JupyterHub's database and
                               cookie secret, the TLS key, logs
      exchange/                what participants share on purpose (755)
        room-ca.crt            the room's certificate authority, if the kit made it
        pubkeys/               lesson 07: participants drop their site-K.pub here; only the
                               facilitator can list it (mode 1733, owned by the facilitator)
        superlink/             lesson 07: the facilitator puts the SuperLink's ca.crt here
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

#: Letters and digits that cannot be mistaken for each other when read aloud or from a
#: projector (no 0/o, 1/l/i).
READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
#: JupyterHub's shared-password authenticator requires at least 8 characters for the room
#: password and at least 32 for the admin password.
ROOM_PASSWORD_GROUPS = 3
ADMIN_PASSWORD_LENGTH = 40


def room_password() -> str:
    """A password for the day that is easy to read from a projector: ``k7mq-x3va-pe9t``."""
    return "-".join("".join(secrets.choice(READABLE) for _ in range(4))
                    for _ in range(ROOM_PASSWORD_GROUPS))


def admin_password() -> str:
    """The facilitator's password: long and random (only the facilitator's screen shows it)."""
    return "".join(secrets.choice(READABLE) for _ in range(ADMIN_PASSWORD_LENGTH))


@dataclass
class RoomSettings:
    """Everything a room server needs; saved as JSON in ``private/room.json``."""

    workdir: str
    course: str                     # the installed course folder each participant gets a copy of
    python: str                     # the kit's environment: its jupyterhub-singleuser runs
    host: str = "0.0.0.0"           # the address the HTTPS port listens on
    port: int = 443                 # the one port IT opens
    address: str = "127.0.0.1"      # what participants type (in the URL and the certificate)
    hub_port: int = 0               # JupyterHub's own API, on loopback only
    proxy_api_port: int = 0         # the proxy's API, on loopback only
    admin: str = "facilitator"
    room_password: str = field(default_factory=room_password)
    admin_password: str = field(default_factory=admin_password)
    api_token: str = field(default_factory=lambda: secrets.token_hex(32))
    #: Scripts (tests, the benchmark) may start servers and run code in them; off for a room.
    automation: bool = False
    homes: str = "/home"
    mem_limit_gib: float = 3.0      # per process of a participant (see spawner.py)
    idle_timeout_s: int = 3600      # stop a participant's server after an hour without use
    cert: str = ""                  # the region's certificate, or the room's own
    key: str = ""
    ca: str = ""                    # the room's CA when the kit made the certificate
    pid: int = 0                    # JupyterHub's process, once started
    #: More options for every participant's JupyterLab (the browser tests expose the app).
    lab_args: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return Path(self.workdir)

    @property
    def private(self) -> Path:
        return self.root / "private"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def url(self) -> str:
        """What participants type into the browser."""
        port = "" if self.port == 443 else f":{self.port}"
        return f"https://{self.address}{port}/"

    @property
    def hub_api(self) -> str:
        """JupyterHub's REST API through the public HTTPS port (what the admin tools use)."""
        return f"{self.url}hub/api"

    def save(self) -> Path:
        """Write ``private/room.json``, readable by its owner (root) only."""
        self.private.mkdir(parents=True, exist_ok=True)
        os.chmod(self.private, 0o700)
        path = self.private / "room.json"
        path.touch(mode=0o600, exist_ok=True)
        os.chmod(path, 0o600)
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n")
        return path


def settings_file(workdir: str | os.PathLike[str]) -> Path:
    return Path(workdir) / "private" / "room.json"


def load(workdir: str | os.PathLike[str]) -> RoomSettings:
    """The settings of the room in ``workdir``, or a clear error if there is none."""
    path = settings_file(workdir)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"No room server in {workdir} (no {path}): start one with "
                                "`fedlearn-kit hub up`.") from None
    known = {f.name for f in dataclasses.fields(RoomSettings)}
    return RoomSettings(**{k: v for k, v in data.items() if k in known})
