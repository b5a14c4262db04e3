"""The room server's participants as system users: one per person, each with a private home.

JupyterHub's ``LocalProcessSpawner`` runs each participant's JupyterLab as a system user of
the server, so the operating system, not the course, keeps one participant out of another's
files. The kit names those users ``fl-<name>`` (``fl-anna`` for the hub user ``anna``): no
name a participant types can become ``root`` or another account the server already has.

Linux only (``useradd``/``userdel``, run by the hub as root). ``pwd`` and ``grp`` are imported
inside the functions, so the module still imports on Windows, where the room server is not
offered.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fedlearn_kit.i18n import _

#: Every system user the room creates starts with this, so the room can find (and remove)
#: exactly its own users and nothing else.
PREFIX = "fl-"
#: What a participant may type as a name: lower-case letters, digits and hyphens, starting
#: with a letter; with the prefix it stays within useradd's 32 characters.
NAME_PATTERN = r"[a-z][a-z0-9-]{0,19}"
#: A participant's home: only its owner may enter it (no group or other access).
HOME_MODE = 0o700


class RoomUserError(RuntimeError):
    """A system user could not be made, found or removed; the message says why."""


@dataclass(frozen=True)
class SystemUser:
    """One participant's account on the server."""

    name: str
    uid: int
    gid: int
    home: Path


def system_name(hub_name: str) -> str:
    """The system user that runs ``hub_name``'s server (``anna`` -> ``fl-anna``)."""
    if not re.fullmatch(NAME_PATTERN, hub_name):
        raise RoomUserError(_(
            "{name} cannot be a participant's name: use 1 to 20 lower-case letters, digits or "
            "hyphens, starting with a letter (for example anna or table-3).").format(
            name=repr(hub_name)))
    return PREFIX + hub_name


def lookup(name: str) -> SystemUser | None:
    """The system user ``name``, or None if the server has none of that name."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return SystemUser(entry.pw_name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def ensure_user(name: str, homes: Path) -> SystemUser:
    """Create the system user ``name`` with a private home below ``homes`` (or reuse it).

    The home is made readable by its owner only, whatever the server's default for new
    homes is. An existing user is reused only if it is one of the room's (``fl-`` prefix).
    """
    if not name.startswith(PREFIX):
        raise RoomUserError(f"{name!r} is not a room user (they all start with {PREFIX!r}).")
    user = lookup(name)
    if user is None:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        done = subprocess.run(
            [useradd, "--create-home", "--home-dir", str(homes / name), "--user-group",
             "--shell", "/bin/bash", "--comment", "fedlearn-kit room participant", name],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RoomUserError(f"Could not create the system user {name}: "
                                f"{done.stderr.strip()} (the hub must run as root).")
        user = lookup(name)
        if user is None:
            raise RoomUserError(f"useradd reported success but {name} does not exist.")
    elif user.home.parent != homes:
        raise RoomUserError(_("The system user {name} already exists with its home in "
                              "{found}, not in this room's {homes}: another room on this server "
                              "uses the name. Run one room per server, or stop the other with "
                              "`fedlearn-kit hub down --remove-users`.").format(
            name=name, found=user.home.parent, homes=homes))
    user.home.mkdir(parents=True, exist_ok=True)
    os.chown(user.home, user.uid, user.gid)
    os.chmod(user.home, HOME_MODE)
    return user


def room_users() -> list[SystemUser]:
    """Every system user the room has made (name starts with ``fl-``)."""
    import pwd

    return [SystemUser(e.pw_name, e.pw_uid, e.pw_gid, Path(e.pw_dir))
            for e in pwd.getpwall() if e.pw_name.startswith(PREFIX)]


def remove_user(name: str) -> None:
    """Delete the room user ``name`` and its home (its answers go with it)."""
    if not name.startswith(PREFIX):
        raise RoomUserError(f"Refusing to remove {name!r}: not a room user.")
    user = lookup(name)
    if user is None:
        return
    userdel = shutil.which("userdel") or "/usr/sbin/userdel"
    done = subprocess.run([userdel, "--remove", name], capture_output=True, text=True,
                          check=False)
    if lookup(name) is not None:
        raise RoomUserError(f"Could not remove {name}: {done.stderr.strip()}")
    # userdel leaves a home outside /home's default place in some versions: remove it too.
    if user.home.name == name and user.home.exists():
        shutil.rmtree(user.home, ignore_errors=True)
    try:
        import grp

        grp.getgrnam(name)
        groupdel = shutil.which("groupdel") or "/usr/sbin/groupdel"
        subprocess.run([groupdel, name], capture_output=True, check=False)
    except KeyError:
        pass


def closed_folders(*paths: str | os.PathLike[str]) -> list[Path]:
    """The folders on the way to ``paths`` that other users cannot pass through.

    A participant's server runs the kit's Python and reads the kit's code as that participant:
    every folder above them must let others pass (the ``x`` bit for others). A Python
    installed below ``/root`` (mode 700), as pyenv does for root, is the usual culprit.
    """
    closed: dict[Path, None] = {}
    for path in paths:
        real = Path(os.path.realpath(path))
        for folder in [*reversed(real.parents), real] if real.is_dir() else reversed(real.parents):
            if folder.is_dir() and not folder.stat().st_mode & 0o001:
                closed[folder] = None
    return list(closed)


def can_run_as(name: str, command: list[str]) -> tuple[bool, str]:
    """Whether ``command`` succeeds when run as the system user ``name``; its error if not."""
    account = lookup(name)
    if account is None:
        return False, f"no system user {name}"

    def become() -> None:
        os.setgid(account.gid)
        os.setgroups([])
        os.setuid(account.uid)

    try:
        done = subprocess.run(command, preexec_fn=become, cwd="/", capture_output=True,
                              text=True, timeout=120, check=False,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(account.home)})
    except OSError as err:
        return False, str(err)
    return done.returncode == 0, (done.stderr or done.stdout).strip()[-500:]
