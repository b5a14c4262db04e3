"""Each participant's own copy of the course, made in their home the first time they start.

The copy holds what a learner opens and edits (lessons, exercises, solutions, the docs the
lessons link to, the Flower app); the kit's code and environment stay in the installed course
folder, shared read-only. Earlier learners' files (answers, DPIA drafts, lesson 07's work
folders) are never copied: a participant starts with none.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The folder name in each home: ``~/fedlearn-kit/notebooks/00_start_here.ipynb``.
COURSE_DIR = "fedlearn-kit"
#: What a participant gets, where the installed course has it.
COPIED = ("notebooks", "exercises", "solutions", "docs", "app", "README.md")
#: Never copied: another person's answers and drafts, run folders, caches.
NOT_COPIED = ("fedlearn-answers*.json", "fedlearn-facts.json", "fedlearn-dpia*", "work",
              ".ipynb_checkpoints", "__pycache__", "*.log")
#: Where every participant's answers are kept (``FEDLEARN_ANSWERS``), below the home.
ANSWERS = Path(COURSE_DIR) / "notebooks" / "fedlearn-answers.json"
FIRST_LESSON = f"{COURSE_DIR}/notebooks/00_start_here.ipynb"


def copy_course(source: Path, home: Path, uid: int, gid: int) -> Path:
    """Copy the course from ``source`` into ``home/fedlearn-kit`` owned by ``uid:gid``.

    Does nothing if the copy exists (a participant's edits survive a restart of their
    server or of the hub). Files are readable by their owner only.
    """
    target = home / COURSE_DIR
    if target.exists():
        return target
    partial = home / f".{COURSE_DIR}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    ignore = shutil.ignore_patterns(*NOT_COPIED)
    for name in COPIED:
        item = source / name
        if item.is_dir():
            shutil.copytree(item, partial / name, ignore=ignore)
        elif item.is_file():
            shutil.copy2(item, partial / name)
    for folder, dirs, files in os.walk(partial):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, uid, gid)
            os.chmod(name, 0o700 if os.path.isdir(name) else 0o600)
    partial.rename(target)  # all or nothing: a crash mid-copy leaves no half course
    return target
