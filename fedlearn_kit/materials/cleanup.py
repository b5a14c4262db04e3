"""Delete participants' answers and facts files from a shared laptop after a workshop.

Answers to the cards may describe a real organisation, so they should not stay on a laptop
the next group uses. :func:`find_answers_files` lists every ``fedlearn-answers*.json``,
``fedlearn-facts.json``, DPIA draft (``fedlearn-dpia*``, made from the answers) and take-home
document (every file in a ``fedlearn-takehome`` folder, ``fedlearn-kit takehome``) under the
given folders (by default the course folder: the one holding ``course.py`` and ``lock/`` at
or above the current folder, which is where the notebooks write them on every install
route, a bundle's included), plus the file ``$FEDLEARN_ANSWERS`` names;
:func:`clean_answers` deletes them only when asked to. Plain ``pathlib``: works the same on
Windows, macOS and Linux.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from fedlearn_kit.i18n import _
from fedlearn_kit.paths import course_root

#: Answers, facts, and the DPIA drafts made from them (participants take drafts home first).
PATTERNS = ("fedlearn-answers*.json", "fedlearn-facts.json", "fedlearn-dpia*.html",
            "fedlearn-dpia*.md", "fedlearn-dpia*.docx")
#: The folder ``fedlearn-kit takehome`` writes into by default: every file in it is made from
#: the answers.
TAKEHOME_DIR = "fedlearn-takehome"
#: Folders never searched: environments and version control hold no participant's answers.
SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".ipynb_checkpoints"}
ENV_VAR = "FEDLEARN_ANSWERS"


def is_answers_file(path: Path) -> bool:
    """True if the file's name is one the course writes answers or facts to, or the file is
    in a take-home folder."""
    return (TAKEHOME_DIR in path.parts[:-1]
            or any(fnmatch.fnmatch(path.name, pattern) for pattern in PATTERNS))


def course_folder(start: Path | None = None) -> Path | None:
    """The course folder at or above ``start`` (default: the current folder): the one with
    ``course.py`` and ``lock/``. Not the installed package's folder: a bundle or wheel
    install puts the package in the environment, far from the notebooks."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "course.py").is_file() and (folder / "lock").is_dir():
            return folder
    return None


def default_folders(start: Path | None = None) -> list[Path]:
    """Where answers are looked for unless told: the course folder (else the current
    folder), and the kit's own checkout when it is one (an editable install)."""
    folders = [course_folder(start) or (start or Path.cwd()).resolve()]
    checkout = course_root()
    if checkout is not None and checkout.resolve() not in folders:
        folders.append(checkout.resolve())
    return folders


def find_answers_files(folders: Iterable[Path] | None = None) -> list[Path]:
    """Every answers or facts file under ``folders`` (default: :func:`default_folders`), plus
    the file ``$FEDLEARN_ANSWERS`` points to if it exists; sorted, each once."""
    found: set[Path] = set()
    for folder in folders if folders is not None else default_folders():
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"{folder} is not a folder: give the kit folder, or a folder "
                             f"where participants saved their answers")
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            found.update(Path(dirpath, name).resolve() for name in filenames
                         if is_answers_file(Path(dirpath, name)))
    pointed = os.environ.get(ENV_VAR)
    if pointed and Path(pointed).is_file():
        found.add(Path(pointed).resolve())
    return sorted(found)


def clean_answers(folders: Iterable[Path] | None = None, delete: bool = False) -> list[Path]:
    """The answers and facts files found; deleted as well when ``delete`` is True."""
    files = find_answers_files(folders)
    if delete:
        for path in files:
            path.unlink(missing_ok=True)
    return files


def main(folders: list[Path], delete: bool) -> int:
    """Command line: list (or with ``delete`` remove) the files; exit 0. Names the folders
    it searched, so an empty answer can be checked."""
    searched = folders or default_folders()
    print(_("Searched: {folders}").format(
        folders=", ".join(str(Path(f).resolve()) for f in searched)))
    files = clean_answers(searched, delete)
    if not files:
        print(_("No answers or facts files found."))
        return 0
    print((_("Deleted {n} file(s):") if delete else _("Would delete {n} file(s):")).format(
        n=len(files)))
    for path in files:
        print(f"  {path}")
    if not delete:
        print(_("Run again with --delete to remove them (after participants have their DPIA "
                "drafts and take-home documents)."))
    return 0
