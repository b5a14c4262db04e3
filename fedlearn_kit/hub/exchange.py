"""Lesson 07 on the room server: handing public files over through the room's exchange folder.

On laptops, ``site-K.pub`` travels to the facilitator and ``ca.crt`` back on a USB stick or a
share. On the room server they travel through ``exchange/`` (:mod:`.settings`): a participant
drops their public key into ``pubkeys/``, which only the facilitator can list; the facilitator
puts the SuperLink's ``ca.crt`` into ``superlink/``, which everyone can read. Private keys never
move. Each file keeps its owner, so the facilitator sees which account handed in which key,
and both commands print the fingerprint to read aloud, as on laptops.

Participants' files are private by default (umask 077); these commands make the shared copy
readable, which a plain ``cp`` would not.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fedlearn_kit.i18n import _

ENV_VAR = "FEDLEARN_ROOM_EXCHANGE"


def exchange_folder() -> Path:
    """The room's exchange folder, as the room server tells every participant's server."""
    folder = os.environ.get(ENV_VAR)
    if not folder or not Path(folder).is_dir():
        raise FileNotFoundError(_("No room exchange folder (${variable} is not set): these "
                                  "commands are for a terminal in the room server's "
                                  "JupyterLab. On laptops, hand the file over as "
                                  "docs/deployment.md says.").format(variable=ENV_VAR))
    return Path(folder)


def _publish(source: Path, target: Path) -> Path:
    if not source.is_file():
        raise FileNotFoundError(_("{path} does not exist.").format(path=source))
    if target.exists() and target.stat().st_uid != os.getuid():
        import pwd

        owner = pwd.getpwuid(target.stat().st_uid).pw_name
        raise PermissionError(_("{name} was already handed in by {owner}: check your site "
                                "number with the facilitator.").format(name=target.name,
                                                                      owner=owner))
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.copyfile(source, partial)
    os.chmod(partial, 0o644)  # public by design; the fingerprint guards its integrity
    partial.replace(target)
    return target


def share_key(site: int, keys: Path | None = None) -> Path:
    """Participant: copy ``site-K.pub`` (never the private key) into the facilitator's drop box."""
    keys = keys or Path("work") / "room" / f"node-{site}" / "keys"
    return _publish(keys / f"site-{site}.pub",
                    exchange_folder() / "pubkeys" / f"site-{site}.pub")


def share_ca(credentials: Path | None = None) -> Path:
    """Facilitator: publish the SuperLink's ``ca.crt`` (public) for every participant."""
    credentials = credentials or Path("work") / "room" / "credentials"
    return _publish(credentials / "ca.crt", exchange_folder() / "superlink" / "ca.crt")
