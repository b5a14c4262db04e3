"""Where deployments keep their files unless told otherwise (lesson 07, the workshop room).

Every default folder is computed when it is asked for, never at import: the kit writes
below the current folder (in JupyterLab: the notebook's folder) or ``$FEDLEARN_WORKDIR``
(:func:`fedlearn_kit.paths.work_folder`), never next to its own files. Lesson 07, a
deployment started from the command line and a workshop room each have their own folder,
so rehearsing the lesson never touches a room.
"""

from __future__ import annotations

from pathlib import Path

from fedlearn_kit.federation.deployment.process_control import STATE_FILE, running_folders
from fedlearn_kit.paths import work_folder


def work_root() -> Path:
    """Every default deployment folder lives under this one: ``./work`` (ignored by git)."""
    return work_folder()


def default_workdir() -> Path:
    """Where `deploy up` keeps a deployment's files unless told otherwise."""
    return work_folder("deployment")


def room_workdir() -> Path:
    """A workshop room: the facilitator's SuperLink (`deploy link`) and, below it, each
    participant's SuperNode and keys (`deploy keygen`, `deploy node`): ``node-K``."""
    return work_folder("room")


def lesson_workdir() -> Path:
    """Lesson 07's own folder, so rehearsing the lesson never touches a room."""
    return work_folder("lesson-07")


def workdirs(root: str | Path | None = None) -> list[Path]:
    """Every deployment folder under ``root`` (default: ``./work`` of the current folder,
    or ``$FEDLEARN_WORKDIR``): those with a state file, and those whose processes run
    although their state file was lost."""
    root = Path(root or work_root()).resolve()
    recorded = {p.parent for p in root.glob(f"**/{STATE_FILE}")}
    running = {d for d in running_folders() if d == root or root in d.parents}
    return sorted(recorded | running)
