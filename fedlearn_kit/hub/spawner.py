"""How the hub starts a participant's JupyterLab: as their own system user, in their own home.

:class:`RoomSpawner` is JupyterHub's ``LocalProcessSpawner`` with four changes:

- the hub user ``anna`` runs as the system user ``fl-anna`` (:mod:`.users`), created with a
  private home the first time she starts;
- her home gets her own copy of the course (:mod:`.course_copy`) and her own answers file
  (``FEDLEARN_ANSWERS``); new files she makes are private (umask 077);
- every process of her server (JupyterLab, kernels, lesson 07's SuperNodes) may allocate at
  most ``Spawner.mem_limit`` bytes of data (``RLIMIT_DATA``): a kernel that asks for more
  gets a ``MemoryError`` instead of pushing the server into swap. This is a limit per
  process, not per person: ``LocalProcessSpawner`` has no per-user total, which
  ``jupyterhub-systemdspawner`` gives where systemd runs the server (docs/room-server.md);
- the course's no-outbound switches (:mod:`fedlearn_kit.offline`) are set for her server.

Imported by JupyterHub's configuration (:mod:`.config`), only where the hub set is installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

from fedlearn_kit.hub import course_copy, users
from fedlearn_kit.offline import OFFLINE_ENV

#: New files and folders a participant makes are theirs alone.
PRIVATE_UMASK = 0o077
#: Servers start in threads, many at once: one writer of the users list at a time.
_REGISTRY_LOCK = threading.Lock()


def set_memory_limit(limit_bytes: int) -> None:
    """Cap how much data this process (and what it starts) may allocate (``RLIMIT_DATA``)."""
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (limit_bytes, limit_bytes))


def record_user(registry: Path, system_name: str) -> None:
    """Add ``system_name`` to the room's list of its users (``hub down`` reads it)."""
    with _REGISTRY_LOCK:
        known = json.loads(registry.read_text()) if registry.exists() else []
        if system_name not in known:
            registry.write_text(json.dumps(sorted([*known, system_name])) + "\n")


class RoomSpawner(LocalProcessSpawner):  # type: ignore[misc]
    """A participant's JupyterLab as their own system user with their own course copy."""

    course = Unicode(config=True, help="The installed course folder to copy from.")
    homes = Unicode("/home", config=True, help="Where participants' homes are made.")
    exchange = Unicode(config=True, help="The room's shared exchange folder.")
    users_registry = Unicode(config=True, help="The file listing the room's system users.")

    @property
    def system_name(self) -> str:
        return users.system_name(self.user.name)

    def _system_user(self) -> users.SystemUser:
        found = users.lookup(self.system_name)
        if found is None:
            raise users.RoomUserError(f"{self.system_name} does not exist yet.")
        return found

    def prepare_home(self) -> users.SystemUser:
        """Create the system user (first start only) and copy the course into the home."""
        account = users.ensure_user(self.system_name, Path(self.homes))
        if self.users_registry:
            record_user(Path(self.users_registry), account.name)
        course_copy.copy_course(Path(self.course), account.home, account.uid, account.gid)
        return account

    async def start(self) -> Any:
        await asyncio.to_thread(self.prepare_home)
        return await super().start()

    def make_preexec_fn(self, name: str) -> Any:
        become_user = set_user_setuid(self.system_name)
        limit = int(self.mem_limit or 0)

        def preexec() -> None:
            if limit:
                set_memory_limit(limit)
            os.umask(PRIVATE_UMASK)
            become_user()

        return preexec

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        account = self._system_user()
        env.update(USER=account.name, LOGNAME=account.name, HOME=str(account.home),
                   SHELL="/bin/bash")
        return env

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        env.update(OFFLINE_ENV)
        home = self._system_user().home
        env["FEDLEARN_ANSWERS"] = str(home / course_copy.ANSWERS)
        if self.exchange:
            env["FEDLEARN_ROOM_EXCHANGE"] = self.exchange
        return env
