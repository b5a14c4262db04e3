"""JupyterHub's configuration for a room, made from the room's settings (one place).

``fedlearn-kit hub up`` writes a two-line ``jupyterhub_config.py`` that calls
:func:`configure` with the room's ``room.json``; everything JupyterHub is told is here:

- **where**: HTTPS on the one public port, with the region's certificate or the room's own;
  JupyterHub's own API and the proxy's API on loopback ports chosen free at start;
- **who**: :class:`~.authenticator.RoomAuthenticator` (room password, first login claims a
  name; the facilitator has a password of their own), names limited to
  :data:`.users.NAME_PATTERN`;
- **how**: :class:`~.spawner.RoomSpawner` runs each participant's ``jupyterhub-singleuser``
  from the kit's environment as their own system user, opening lesson 00;
- **services**: ``jupyterhub-idle-culler`` stops servers idle for ``idle_timeout_s``, and the
  kit's own service token (``fedlearn-room``) lets ``fedlearn-kit hub status`` list who is
  in. It reads users and servers only; with ``automation`` (tests and the benchmark) it may
  also start servers and use them;
- **offline**: JupyterLab's extension manager reads nothing from the network (``readonly``);
  the news and update checks are off through the environment's ``overrides.json``.

Nobody is a JupyterHub admin: that role may open every participant's server and JupyterHub
does not let it be narrowed. The facilitator has the ``facilitator`` role instead: the admin
page shows who is in and whose server runs, and can start or stop servers and release a
name, but cannot open a participant's server or files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from fedlearn_kit.hub import users
from fedlearn_kit.hub.course_copy import FIRST_LESSON
from fedlearn_kit.hub.settings import RoomSettings, load

#: The kit's service in JupyterHub, holding the room's API token.
SERVICE = "fedlearn-room"
CULLER = "idle-culler"
#: What ``fedlearn-kit hub status`` needs: who is in, whose server is up.
STATUS_SCOPES = ["list:users", "read:users", "read:servers", "read:users:activity"]
#: What scripts need on top to log in simulated participants and run lessons in their servers.
AUTOMATION_SCOPES = ["admin:users", "admin:servers", "access:servers"]
#: The facilitator: the admin page, who is in, start and stop servers, release a name
#: (delete:users). Not ``access:servers``: the facilitator cannot open anyone's server.
FACILITATOR_ROLE = "facilitator"
FACILITATOR_SCOPES = ["self", "admin-ui", "list:users", "read:users", "read:users:activity",
                      "read:servers", "admin:servers", "delete:users"]
#: The culler's scopes, from jupyterhub-idle-culler's README.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
#: JupyterHub's default list of variables a participant's server keeps from the hub's.
ENV_KEEP = ["CONDA_ROOT", "JUPYTERHUB_SINGLEUSER_APP", "LANG", "LC_ALL", "LD_LIBRARY_PATH",
            "PATH", "PYTHONPATH", "VIRTUAL_ENV"]
PASSED_ON = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
             "FEDLEARN_NET_AUDIT", "NODE_OPTIONS"]
#: 20 servers starting at once on 2 cores take longer than JupyterHub's defaults allow.
START_TIMEOUT_S = 300


def proxy_command(python: str) -> list[str]:
    """configurable-http-proxy as ``course.py install --set hub`` put it (else from PATH)."""
    local = Path(python).parent.parent / "share" / "fedlearn-kit" / "hub-proxy" / \
        "node_modules" / ".bin" / "configurable-http-proxy"
    return [str(local)] if local.exists() else ["configurable-http-proxy"]


def singleuser_command(python: str) -> list[str]:
    return [str(Path(python).parent / "jupyterhub-singleuser")]


def configure(c: Any, settings: RoomSettings | str) -> None:
    """Fill JupyterHub's config object ``c`` for the room (``settings`` or its room.json)."""
    if not isinstance(settings, RoomSettings):
        settings = load(Path(settings).parent.parent)
    private = settings.private

    c.JupyterHub.bind_url = f"https://{settings.host}:{settings.port}"
    c.JupyterHub.ssl_cert = settings.cert
    c.JupyterHub.ssl_key = settings.key
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(private / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(private / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True  # stopping the hub stops every participant's server
    c.JupyterHub.cleanup_proxy = True
    c.ConfigurableHTTPProxy.command = proxy_command(settings.python)
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(private / "proxy.pid")

    c.JupyterHub.authenticator_class = "fedlearn_kit.hub.authenticator.RoomAuthenticator"
    c.RoomAuthenticator.user_password = settings.room_password
    c.RoomAuthenticator.facilitator = settings.admin
    c.RoomAuthenticator.facilitator_password = settings.admin_password
    c.RoomAuthenticator.allow_all = True  # anyone with the room password, under a new name
    c.RoomAuthenticator.username_pattern = f"^{users.NAME_PATTERN}$"
    c.JupyterHub.template_vars = {"announcement_login": (
        "Choose a name of your own (lower-case letters, digits, hyphens) and type the room "
        "password the facilitator shows. Keep this browser open: your name is yours for "
        "the day.")}

    c.JupyterHub.spawner_class = "fedlearn_kit.hub.spawner.RoomSpawner"
    c.RoomSpawner.course = settings.course
    c.RoomSpawner.homes = settings.homes
    c.RoomSpawner.exchange = str(settings.exchange)
    c.RoomSpawner.users_registry = str(private / "users.json")
    # The kit's commands (fedlearn-kit, flwr) in every participant's terminal, as on a laptop.
    venv_bin = str(Path(settings.python).parent)
    c.Spawner.environment = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
                             "VIRTUAL_ENV": str(Path(venv_bin).parent)}
    # Passed on from the hub's environment when set: proxy settings (so a client that would
    # use a proxy is seen trying) and the tests' network audit (tests/integration/netaudit).
    c.Spawner.env_keep = [*ENV_KEEP, *PASSED_ON]
    c.Spawner.cmd = singleuser_command(settings.python)
    c.Spawner.args = ["--LabApp.extension_manager=readonly", *settings.lab_args]
    c.Spawner.notebook_dir = "~"
    c.Spawner.default_url = f"/lab/tree/{FIRST_LESSON}"
    c.Spawner.mem_limit = int(settings.mem_limit_gib * 2**30)
    c.Spawner.start_timeout = START_TIMEOUT_S
    c.Spawner.http_timeout = START_TIMEOUT_S

    scopes = STATUS_SCOPES + (AUTOMATION_SCOPES if settings.automation else [])
    c.JupyterHub.services = [
        {"name": SERVICE, "api_token": settings.api_token},
        {"name": CULLER, "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                     f"--timeout={settings.idle_timeout_s}"],
         "environment": {k: os.environ[k] for k in PASSED_ON if k in os.environ}},
    ]
    c.JupyterHub.load_roles = [
        {"name": SERVICE, "scopes": scopes, "services": [SERVICE]},
        {"name": CULLER, "scopes": CULLER_SCOPES, "services": [CULLER]},
        {"name": FACILITATOR_ROLE, "scopes": FACILITATOR_SCOPES, "users": [settings.admin]},
    ]


#: A region's own additions (its login, for example), read after the kit's settings when the
#: file exists: ``<workdir>/region_config.py`` (docs/room-server.md).
REGION_CONFIG = "region_config.py"

CONFIG_FILE = """\
# Written by `fedlearn-kit hub up`: every setting comes from room.json beside this file
# (fedlearn_kit/hub/config.py says what each one is and why), then from the region's own
# region_config.py in the room's folder, if there is one.
import os

from fedlearn_kit.hub.config import configure

configure(c, {room_json!r})  # noqa: F821 - JupyterHub defines c
if os.path.exists({region!r}):
    load_subconfig({region!r})  # noqa: F821 - JupyterHub defines load_subconfig
"""


def write_config_file(settings: RoomSettings) -> Path:
    """``private/jupyterhub_config.py`` for the room."""
    path = settings.private / "jupyterhub_config.py"
    path.write_text(CONFIG_FILE.format(room_json=str(settings.private / "room.json"),
                                       region=str(settings.root / REGION_CONFIG)))
    path.chmod(0o600)
    return path
