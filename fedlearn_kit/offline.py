"""The switches that keep every process the kit starts from calling out (lessons 04-07).

A course that tells hospitals "only model updates travel" must not itself send anything it
does not explain. Three programs the kit starts would call out by default:

- **Flower** sends anonymous usage telemetry unless ``FLWR_TELEMETRY_ENABLED=0``, and every
  ``flower-superlink``, ``flower-supernode`` and ``flwr`` command asks Flower's web API
  whether a newer version exists (sending the flwr, Python and OS versions) unless
  ``FLWR_DISABLE_UPDATE_CHECK=1``. Offline, each check also costs start-up time: the
  process waits for the request to time out before it exits.
- **Flower** also installs an app's dependencies with ``uv sync`` from a package index when
  a run starts, unless ``FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION=1``; the course's
  environment has them installed already, and offline the run would fail.
- **Ray** (Flower's simulation engine) records usage statistics unless
  ``RAY_USAGE_STATS_ENABLED=0``.
- **JupyterLab** fetches news and checks for updates unless its notification settings say
  no (``fetchNews``, ``checkForUpdates``), and its Extension Manager searches PyPI when
  someone types in it. The install (``course.py``'s ``post_install``) copies
  ``fedlearn_kit/jupyter/overrides.json``, which must equal :data:`JUPYTERLAB_SETTINGS`
  (news and update checks off, the Extension Manager off), and
  ``fedlearn_kit/jupyter/jupyter_lab_config.json``, which must equal
  :data:`JUPYTER_LAB_CONFIG` (a read-only Extension Manager on the server: it lists
  what is installed and asks no index).

A proxy named in the environment (``HTTPS_PROXY``/``HTTP_PROXY``, common on managed
hospital laptops) is the opposite problem: Flower's ``flwr`` commands and SuperNodes use
httpx and gRPC, which send even a connection to 127.0.0.1 through it, so the deployment
fails on loopback. :func:`offline_env` therefore adds loopback, and any host the caller
names (the room's SuperLink), to ``NO_PROXY``/``no_proxy``, keeping what was there.

This module is the one place these switches live: the deployment, the simulation engine
and the kit's import all take them from here, and a test checks JupyterLab's file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

#: Environment switches for every process the kit starts, with why each is there.
OFFLINE_ENV: dict[str, str] = {
    "FLWR_TELEMETRY_ENABLED": "0",  # Flower: no anonymous usage events
    "FLWR_DISABLE_UPDATE_CHECK": "1",  # Flower: no version check against Flower's web API
    # Flower: no `uv sync` of the app's dependencies from a package index when a run starts
    "FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION": "1",
    "RAY_USAGE_STATS_ENABLED": "0",  # Ray (simulation engine): no usage statistics
}

#: JupyterLab's settings overrides (``overrides.json``): no news feed, no update check,
#: no Extension Manager panel.
JUPYTERLAB_SETTINGS: dict[str, dict[str, object]] = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension:plugin": {
        "enabled": False,
    },
}

#: JupyterLab's server-side configuration for the course's environment
#: (``etc/jupyter/jupyter_lab_config.json``): JupyterLab's Extension
#: Manager read-only, so its search never asks PyPI (``LabApp.extension_manager``).
JUPYTER_LAB_CONFIG: dict[str, dict[str, object]] = {
    "LabApp": {"extension_manager": "readonly"},
}


#: Hosts that never go through a proxy: this machine (loopback by every name).
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
#: The variables that name a proxy (upper and lower case: programs read either).
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "GRPC_PROXY",
                   "https_proxy", "http_proxy", "all_proxy", "grpc_proxy")


def no_proxy(base: Mapping[str, str], hosts: Sequence[str] = ()) -> str:
    """``base``'s ``NO_PROXY`` (or ``no_proxy``) with loopback and ``hosts`` added, once each."""
    have = [h.strip() for name in ("NO_PROXY", "no_proxy")
            for h in base.get(name, "").split(",") if h.strip()]
    wanted = [h for h in (*LOCAL_HOSTS, *hosts) if h and h not in ("0.0.0.0", "")]
    return ",".join(dict.fromkeys([*have, *wanted]))


def proxies_set(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The proxy variables set in ``base`` (default: this process's environment)."""
    env = os.environ if base is None else base
    return {name: env[name] for name in PROXY_VARIABLES if env.get(name)}


def offline_env(base: Mapping[str, str] | None = None, *,
                no_proxy_hosts: Sequence[str] = (), **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) with the offline switches forced on.

    The switches win over ``base``: a user's own ``FLWR_TELEMETRY_ENABLED=1`` does not turn
    telemetry on for the course's processes. ``NO_PROXY``/``no_proxy`` gain loopback and
    ``no_proxy_hosts`` (e.g. the room's SuperLink), merged with any existing value.
    ``extra`` adds or overrides other variables.
    """
    env = dict(os.environ if base is None else base)
    env.update(OFFLINE_ENV)
    env["NO_PROXY"] = env["no_proxy"] = no_proxy(env, no_proxy_hosts)
    if env.get("no_grpc_proxy"):  # gRPC reads this one instead of no_proxy when it is set
        env["no_grpc_proxy"] = no_proxy({"NO_PROXY": env["no_grpc_proxy"]}, no_proxy_hosts)
    env.update(extra)
    return env


def apply() -> None:
    """Set the switches in this process, so the kit's own Flower calls stay offline too
    (and never go to a proxy for loopback)."""
    os.environ.update(OFFLINE_ENV)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = no_proxy(os.environ)
