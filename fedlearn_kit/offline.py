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
  no (``fetchNews``, ``checkForUpdates``); ``make install`` copies
  ``fedlearn_kit/jupyter/overrides.json``, which must equal :data:`JUPYTERLAB_SETTINGS`.

This module is the one place these switches live: the deployment, the simulation engine
and the kit's import all take them from here, and a test checks JupyterLab's file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Environment switches for every process the kit starts, with why each is there.
OFFLINE_ENV: dict[str, str] = {
    "FLWR_TELEMETRY_ENABLED": "0",  # Flower: no anonymous usage events
    "FLWR_DISABLE_UPDATE_CHECK": "1",  # Flower: no version check against Flower's web API
    # Flower: no `uv sync` of the app's dependencies from a package index when a run starts
    "FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION": "1",
    "RAY_USAGE_STATS_ENABLED": "0",  # Ray (simulation engine): no usage statistics
}

#: JupyterLab's settings overrides (``overrides.json``): no news feed, no update check.
JUPYTERLAB_SETTINGS: dict[str, dict[str, object]] = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def offline_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) with the offline switches forced on.

    The switches win over ``base``: a user's own ``FLWR_TELEMETRY_ENABLED=1`` does not turn
    telemetry on for the course's processes. ``extra`` adds or overrides other variables.
    """
    env = dict(os.environ if base is None else base)
    env.update(OFFLINE_ENV)
    env.update(extra)
    return env


def apply() -> None:
    """Set the switches in this process, so the kit's own Flower calls stay offline too."""
    os.environ.update(OFFLINE_ENV)
