#!/usr/bin/env python3
"""Set up and run the course on Windows, macOS and Linux, with nothing but Python.

    python course.py lab      first time: creates .venv, installs the locked set; opens JupyterLab
    python course.py test     installs the developer tools too, then runs every test

(On Windows, ``py course.py lab``.) Other commands: ``check`` (the quick tier: ruff, mypy and
the unit tests), ``test --tier NAME`` (one tier of tests: unit, integration, notebooks, e2e,
scale), ``install``, ``doctor`` (is this laptop ready?), ``bundle`` (a facilitator's
offline bundle), ``lock`` (maintainers: regenerate lock/ from pyproject.toml). Run
``python course.py --help`` for the options.

This file uses only the standard library and runs with the Python that starts it: no make,
no administrator rights, no shell. Everything it installs goes into ``.venv`` in this folder.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
#: Where versions are chosen, once (read here with re: this file runs on any Python).
PYPROJECT = HERE / "pyproject.toml"
LOCK_DIR = HERE / "lock"
#: The layered lock files: each names the sets it builds on (BASES) with ``-r`` and adds its
#: own packages.
LOCKS = {"course": LOCK_DIR / "course.txt",          # what a learner needs
         "simulation": LOCK_DIR / "simulation.txt",  # + Ray, for --engine simulation
         "hub": LOCK_DIR / "hub.txt",                # + JupyterHub, for a room server
         "dev": LOCK_DIR / "dev.txt"}                # + the test and lint tools
EXTRAS = {"course": [], "simulation": ["simulation"], "hub": ["hub"],
          "dev": ["dev", "simulation", "hub"]}
BASES = {"course": [], "simulation": ["course"], "hub": ["course"], "dev": ["simulation", "hub"]}
#: The room server's proxy (JupyterHub's configurable-http-proxy, a Node.js program), pinned by
#: npm's lock file; the hub set installs it into the environment's folder with ``npm ci``.
HUB_PROXY_LOCK = LOCK_DIR / "hub-proxy"
HUB_PROXY_DIR = Path("share") / "fedlearn-kit" / "hub-proxy"  # below the environment's prefix
STAMP_NAME = "fedlearn-kit-installed.json"  # in the environment's folder (sys.prefix)
#: JupyterLab's settings that switch off its news and update checks and its Extension Manager
#: (they would call out), and the server's, which makes the Extension Manager read-only.
JUPYTER_SETTINGS = HERE / "fedlearn_kit" / "jupyter" / "overrides.json"
JUPYTER_LAB_CONFIG = HERE / "fedlearn_kit" / "jupyter" / "jupyter_lab_config.json"
#: PyTorch publishes its Linux CPU-only build (version suffix ``+cpu``) on its own index;
#: PyPI's Linux torch is the multi-GB CUDA build. PyPI's Windows and macOS wheels of torch
#: are CPU builds already (Windows: ``torch.version.cuda`` is None), so those come from PyPI.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: The package index the bundle check asks (pip's default; ``PIP_INDEX_URL`` overrides).
PYPI_SIMPLE = "https://pypi.org/simple"
FIRST_LESSON = "notebooks/00_start_here.ipynb"
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with",
         "tests/notebooks/nbval_sanitize.cfg"]
#: In the tiers with a few modules that take minutes: the modules that say ``STARTS_FIRST``
#: start first (tests/conftest.py), instead of pytest-xdist's default of the modules with the
#: most tests first.
LONGEST_FIRST = ["--no-loadscope-reorder"]
#: The test tiers, cheapest first: a tier is a folder of tests/ named after what its tests need
#: (tests/conftest.py says what each may start), and these are the pytest arguments that run it.
#: ``--dist loadfile`` keeps a module's tests (a module-scoped deployment, ordered steps) and a
#: notebook's cells (one kernel) on one worker, while the workers overlap the waits on kernels,
#: Flower processes and Chromium; the unit tier has no such module and balances test by test.
TIERS = {
    "unit": ["tests/unit"],
    "integration": ["--dist", "loadfile", *LONGEST_FIRST, "tests/integration"],
    "notebooks": ["--dist", "loadfile", "tests/notebooks", *NBVAL, "notebooks", "solutions"],
    "e2e": ["--dist", "loadfile", *LONGEST_FIRST, "tests/e2e"],
    "scale": ["--dist", "loadfile", *LONGEST_FIRST, "tests/scale"],
}
#: The notebooks tier runs each lesson in English and in Swedish: the Swedish copy (the same
#: code) on other CPU kernels and two threads, so the stored outputs are compared under two
#: kernel families (tests/conftest.py, docs/authoring.md). Not ``--dist loadgroup`` for
#: anything: with pytest 9.2 and pytest-xdist 3.8 its groups are silently ignored
#: (pytest-dev/pytest-xdist#1386).
#: ``pip`` here makes the install use pip alone (by default uv installs, pip stands by).
INSTALLER_ENV = "FEDLEARN_INSTALLER"
#: The name the lint step (ruff, mypy) is reported under beside the tiers.
LINT = "ruff and mypy"
#: Every tier run ends with its slowest tests, so a tier's cost is seen where it grows.
SLOWEST = "--durations=15"


def _offline_env() -> dict[str, str]:
    """The kit's no-outbound switches, read from their one place (``fedlearn_kit/offline.py``,
    standard library only) without importing the package, which may not be installed yet."""
    spec = importlib.util.spec_from_file_location(
        "fedlearn_offline", HERE / "fedlearn_kit" / "offline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.OFFLINE_ENV)


#: The environment every process the course starts gets: nothing calls out (Flower's telemetry
#: and update check, Ray's usage statistics), no debugger noise.
QUIET_ENV = {**_offline_env(), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
WINDOWS = os.name == "nt"


class SetupError(Exception):
    """A set-up step failed; the message says what to do."""


def project_pin(name: str) -> str:
    """The version pyproject.toml pins the package ``name`` to (``"torch==2.13.0"``)."""
    found = re.search(rf'"{re.escape(name)}(?:\[[^\]]*\])?==([^"]+)"',
                      PYPROJECT.read_text(encoding="utf-8"))
    if found is None:
        raise SetupError(f"pyproject.toml pins no version of {name}.")
    return found.group(1)


def supported_pythons() -> list[tuple[int, int]]:
    """The Python versions pyproject.toml's ``requires-python = ">=3.A,<3.B"`` allows."""
    found = re.search(r'requires-python\s*=\s*">=3\.(\d+),\s*<3\.(\d+)"',
                      PYPROJECT.read_text(encoding="utf-8"))
    if found is None:
        raise SetupError('pyproject.toml: write requires-python as ">=3.A,<3.B".')
    return [(3, minor) for minor in range(int(found.group(1)), int(found.group(2)))]


SUPPORTED = supported_pythons()
#: "3.11, 3.12 or 3.13", for messages.
SUPPORTED_TEXT = (", ".join(f"{a}.{b}" for a, b in SUPPORTED[:-1])
                  + f" or {SUPPORTED[-1][0]}.{SUPPORTED[-1][1]}")
OLDEST = f"{SUPPORTED[0][0]}.{SUPPORTED[0][1]}"



def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(command: list[str], **kwargs) -> int:
    """Run a command, echoing it and how long it took; return its exit code."""
    say(" ".join(str(c) for c in command))
    env = {**os.environ, **QUIET_ENV, **kwargs.pop("env", {})}
    start = time.monotonic()
    code = subprocess.call([str(c) for c in command], cwd=kwargs.pop("cwd", HERE), env=env,
                           **kwargs)
    say(f"exit {code} after {time.monotonic() - start:.0f} s")
    return code


def check_run(command: list[str], what: str, fix: str) -> None:
    if run(command) != 0:
        raise SetupError(f"{what} failed. {fix}")


# --- the environment ------------------------------------------------------------------

#: ``--no-venv``: install into, and run from, the Python that runs this file (e.g. an
#: activated conda environment made from environment.yml) instead of .venv.
USE_CURRENT = False


def venv_python(venv: Path | None = None) -> Path:
    if USE_CURRENT and venv is None:
        return Path(sys.executable)
    return (venv or VENV) / ("Scripts/python.exe" if WINDOWS else "bin/python")


def _prefix(py: Path) -> Path:
    if USE_CURRENT:
        return Path(sys.prefix)
    return VENV


def _version_of(python: list[str]) -> tuple[int, int] | None:
    try:
        out = subprocess.run([*python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def find_python(requested: str | None,
                allowed: list[tuple[int, int]] | None = None) -> list[str]:
    """A supported Python: the one asked for, this one, or another found on the machine.

    ``allowed``: the Pythons a bundle has wheels for; one of them is preferred."""
    if requested:
        candidates = [[requested]]
    else:
        candidates = [[sys.executable]]
        for major, minor in SUPPORTED:
            candidates.append(["py", f"-{major}.{minor}"] if WINDOWS
                              else [f"python{major}.{minor}"])
    for wanted in ([allowed] if allowed else []) + [SUPPORTED]:
        for candidate in candidates:
            if _version_of(candidate) in wanted:
                return candidate
    found = ".".join(map(str, sys.version_info[:2]))
    raise SetupError(
        f"Python {SUPPORTED_TEXT} is needed (this is {found}). Install Python {OLDEST} for "
        "your user only (python.org's installer: untick 'for all users'; on Windows also the "
        f"Microsoft Store's Python {OLDEST}; on macOS python.org or Homebrew), then run this "
        f"again, or name it: python course.py lab --python /path/to/python{OLDEST}")


def ensure_venv(requested_python: str | None,
                allowed: list[tuple[int, int]] | None = None) -> Path:
    python = venv_python()
    if USE_CURRENT:
        if sys.version_info[:2] not in SUPPORTED:
            raise SetupError(f"--no-venv needs Python {SUPPORTED_TEXT} to run this file.")
        return python
    have = _version_of([str(python)]) if python.exists() else None
    if have in SUPPORTED and (not allowed or have in allowed):
        return python
    base = find_python(requested_python, allowed)
    say(f"creating {VENV.name} with {' '.join(base)}")
    check_run([*base, "-m", "venv", "--clear", VENV], "Creating the environment",
              "Check that Python's venv module is installed (Debian/Ubuntu: python3-venv).")
    return python


def with_bases(kind: str) -> set[str]:
    """A lock set and every set it builds on."""
    return {kind}.union(*(with_bases(base) for base in BASES[kind]))


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [HERE / "pyproject.toml", *LOCKS.values(), HUB_PROXY_LOCK / "package-lock.json"]:
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def installed_sets() -> set[str]:
    """The lock sets installed in .venv for the current lock files (empty when stale)."""
    try:
        stamp = json.loads((_prefix(venv_python()) / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return set()
    return set(stamp.get("sets", [])) if stamp.get("fingerprint") == _fingerprint() else set()


def torch_index_reachable(timeout: float = 5.0) -> bool:
    try:
        urllib.request.urlopen(TORCH_CPU_INDEX + "/torch/", timeout=timeout).close()
        return True
    except OSError:
        return False


def _lock_without_index(lock: Path, into: Path) -> Path:
    """Copies of the lock chain without the PyTorch index line (pip would retry it for
    every package); torch stays pinned to its CPU build, so nothing else can satisfy it."""
    for path in LOCKS.values():
        lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("--extra-index")]
        (into / path.name).write_text("\n".join(lines) + "\n")
    return into / lock.name


def install(kind: str, *, python: str | None = None, bundle: Path | None = None,
            force: bool = False) -> Path:
    """Install the ``kind`` lock set and the kit into .venv (nothing when already there)."""
    if not force and kind in installed_sets():
        return venv_python()
    served = bundle_pythons(bundle) if bundle is not None else None
    py = ensure_venv(python, served)
    if bundle is not None:
        check_bundle_fits(bundle, _version_of([str(py)]))
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check"]
    sources = ["--no-index", "--find-links", _bundle_wheels(bundle)] if bundle else []
    uv = _installer_uv(py, pip + sources)
    with tempfile.TemporaryDirectory() as scratch:
        lock = LOCKS[kind]
        if bundle is None and not torch_index_reachable():
            say("PyTorch's CPU index cannot be reached: taking torch's CPU build from what pip "
                "finds elsewhere (its configuration, a local wheel folder).")
            lock = _lock_without_index(lock, Path(scratch))
        install_step(pip, uv, py, [*sources, "-r", str(lock)], "Installing the locked packages",
                     "Read pip's message above. Behind a proxy, set HTTPS_PROXY; without a "
                     "network, install from a facilitator's bundle (docs/laptops.md).")
    if bundle is not None:
        install_step(pip, uv, py, [*sources, "--no-deps", "--force-reinstall", "fedlearn-kit"],
                     "Installing the kit from the bundle",
                     "Rebuild the bundle: python course.py bundle")
    else:
        install_step(pip, uv, py, ["--no-deps", "-e", str(HERE)], "Installing the kit",
                     "Read pip's message above.")
    post_install(py)
    if "hub" in with_bases(kind):
        install_hub_proxy(py)
    sets = (installed_sets() if not force else set()) | with_bases(kind)
    (_prefix(py) / STAMP_NAME).write_text(json.dumps(
        {"fingerprint": _fingerprint(), "sets": sorted(sets),
         "from": "bundle" if bundle else "index",
         **({"bundle": _shown_path(bundle)} if bundle else {})}))
    return py


def _installer_uv(py: Path, pip: list) -> str | None:
    """uv to install with, or None for pip alone.

    uv installs the same locked packages several times faster than pip (parallel downloads
    and unpacking, one cache for every environment): a fresh install, CI's included, takes
    seconds where pip takes minutes. It is in the lock (Flower depends on it), so the
    environment's own uv is the locked version; a new environment gets that version first,
    with pip (one wheel; from the bundle when installing from one). ``FEDLEARN_INSTALLER=pip``
    skips uv; pip also takes over whenever uv fails (:func:`install_step`)."""
    if os.environ.get(INSTALLER_ENV, "uv") == "pip":
        return None
    own = [py.parent / ("uv.exe" if WINDOWS else "uv"), py.parent / "Scripts" / "uv.exe"]
    found = next((str(c) for c in own if c.exists()), None)
    if found is not None:
        return found
    try:
        version = next(ln.split("==")[1].split(";")[0].strip() for ln in locked_requirements(
            "course") if _package(ln) == "uv")
    except StopIteration:
        return None
    if run([*pip, "--quiet", f"uv=={version}"]) != 0:
        say("uv could not be installed: pip installs everything (slower).")
        return None
    return next((str(c) for c in own if c.exists()), None)


def _uv_sources() -> list[str]:
    """pip's configured wheel folders and extra indexes, for uv (which reads no pip.conf):
    both installers then take the same files (e.g. a local torch CPU wheel)."""
    sources = [a for folder in _pip_find_links() for a in ("--find-links", folder)]
    for key, flag in (("index-url", "--index-url"), ("extra-index-url", "--extra-index-url")):
        values = os.environ.get(f"PIP_{key.replace('-', '_').upper()}", "").split()
        values += _pip_config(f"global.{key}")
        sources += [a for value in dict.fromkeys(values) for a in (flag, value)]
    return sources


#: Set (to anything) by CI images and some managed laptops: Python then never writes the
#: bytecode it compiles to disk.
NO_BYTECODE_ENV = "PYTHONDONTWRITEBYTECODE"


def bytecode_at_install() -> bool:
    """Whether an install compiles every module to bytecode beforehand.

    Only where PYTHONDONTWRITEBYTECODE is set. Elsewhere Python writes a module's bytecode
    the first time it is imported, which compiles only what is used; compiling all 17,929
    files of the environment took 34 s. With it set, nothing is ever written, and every
    process would compile torch, Flower and pandas again at each import: measured 4.7 s of
    CPU instead of 2.2 s for `import torch, flwr, pandas` (uv compiles nothing unless asked,
    unlike pip).
    """
    return bool(os.environ.get(NO_BYTECODE_ENV))


def let_python_keep_bytecode() -> None:
    """The test commands let Python write the bytecode it compiles, as it does by default.

    The suite starts several hundred Python processes (kernels, Flower, the CLI); with
    PYTHONDONTWRITEBYTECODE set (CI images set it) each would compile its imports again, or
    the install would compile the whole environment first. Writing a cache is harmless in a
    checkout's own .venv and __pycache__ folders (ignored by git).
    """
    if os.environ.pop(NO_BYTECODE_ENV, None):
        say(f"{NO_BYTECODE_ENV} is set: the tests let Python keep the bytecode it compiles.")


def install_step(pip: list, uv: str | None, py: Path, arguments: list[str], what: str,
                 fix: str) -> None:
    """``pip install ARGUMENTS`` into ``py``'s environment, by uv when there is one; pip
    again if uv fails, so uv can only make an install faster, never break it."""
    if uv is not None:
        # unsafe-best-match: like pip, every index is asked for every package (uv's default
        # takes a package from the first index that has it, e.g. numpy from PyTorch's).
        # --compile-bytecode where Python may not cache it (see bytecode_at_install).
        command = [uv, "pip", "install", "--python", str(py),
                   *(["--compile-bytecode"] if bytecode_at_install() else []),
                   "--index-strategy",
                   "unsafe-best-match", *([] if "--no-index" in arguments else _uv_sources()),
                   *["--reinstall" if a == "--force-reinstall" else a for a in arguments]]
        if run(command) == 0:
            return
        say(f"uv could not do it ({what}); pip tries.")
    check_run([*pip, *arguments], what, fix)


def post_install(py: Path) -> None:
    """The steps every install route takes after pip (the one place that lists them).

    JupyterLab reads ``{environment}/share/jupyter/lab/settings/overrides.json``: the kit's
    copy switches off its news feed, update checks and Extension Manager; the server reads
    ``{environment}/etc/jupyter/jupyter_lab_config.json`` (also when JupyterHub starts it as a
    server extension): the kit's copy makes the
    Extension Manager read-only, so even its search asks no index. JupyterLab then makes no
    web calls. (pip cannot place them: an editable install skips a package's data files.)
    """
    target = _prefix(py) / "share" / "jupyter" / "lab" / "settings"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(JUPYTER_SETTINGS, target / "overrides.json")
    server = _prefix(py) / "etc" / "jupyter"
    server.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(JUPYTER_LAB_CONFIG, server / "jupyter_lab_config.json")
    say(f"JupyterLab's news, update checks and Extension Manager switched off "
        f"({target / 'overrides.json'}, {server / 'jupyter_lab_config.json'})")
    compile_course(py)


#: The course's own Python that an editable install leaves uncompiled (the kit, the Flower
#: app every Flower process imports, the maintainers' tools).
COURSE_PACKAGES = ("fedlearn_kit", "app", "tools")


def compile_course(py: Path) -> None:
    """Compile the course's own modules once, as an installer compiles a package's.

    An editable install compiles nothing, and with PYTHONDONTWRITEBYTECODE set Python never
    writes what it compiles: every kernel, Flower process and CLI call would compile the kit
    again. A module edited later is simply compiled again in memory (Python compares the
    source's time stamp), so a stale file is never used.
    """
    if not bytecode_at_install():  # Python writes it at the first import
        return
    folders = [str(HERE / name) for name in COURSE_PACKAGES if (HERE / name).is_dir()]
    if folders and run([py, "-m", "compileall", "-q", "-j", "0", *folders]) != 0:
        say("Compiling the course's modules failed: they are compiled at each import instead "
            "(slower, nothing else changes).")


def install_hub_proxy(py: Path) -> None:
    """JupyterHub's proxy for the room server, from npm's lock, into the environment's folder.

    Node.js 20 or newer must be on PATH (a Linux server's package manager has it); nothing is
    installed globally and nothing runs at install time (``--ignore-scripts``).
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise SetupError("The room server's proxy needs Node.js 20 or newer with npm "
                         "(Debian/Ubuntu: `apt-get install nodejs npm`); install it, then run "
                         "this command again. docs/room-server.md says more.")
    target = _prefix(py) / HUB_PROXY_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HUB_PROXY_LOCK / name, target / name)
    check_run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", target],
              "Installing JupyterHub's proxy (configurable-http-proxy) from npm's lock",
              "Read npm's message above. Behind a proxy, set npm's https-proxy.")


# --- the commands ---------------------------------------------------------------------

def lab_command(py: Path, port: int | None) -> list[str]:
    """The JupyterLab command the course runs (the browser tests start exactly this)."""
    command = [str(py), "-m", "jupyter", "lab", f"--ServerApp.root_dir={HERE}",
               f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}",
               # The extension manager would search the package index when opened.
               "--LabApp.extension_manager=readonly"]
    if port:
        command.append(f"--port={port}")
    if not WINDOWS and os.geteuid() == 0:  # containers and CI run as root; Jupyter asks
        command.append("--allow-root")
    return command


def cmd_lab(args: argparse.Namespace) -> int:
    if args.print_command:
        print(json.dumps(lab_command(venv_python(), args.port)))
        return 0
    py = install("course", python=args.python)
    return run(lab_command(py, args.port))


def cmd_install(args: argparse.Namespace) -> int:
    bundle = Path(args.from_bundle).resolve() if args.from_bundle else None
    install(args.set, python=args.python, bundle=bundle, force=args.force)
    say(f"installed the {args.set!r} set. Next: python course.py lab")
    return 0


#: Tiers whose tests mostly wait (on Flower's rounds and heartbeats, JupyterHub, Chromium):
#: by default they get one worker more than the machine has cores, which fills the waits.
#: Measured on 2 cores: e2e 190 s with 2 workers, 170 s with 3; integration 269 s and 262 s
#: (its room day is a chain of steps that no worker count shortens).
WAITING_TIERS = ("integration", "e2e", "scale")


def cores() -> int:
    """The cores this process may use (a container's or a job's share, where it has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def tier_arguments(tier: str, workers: str) -> list[str]:
    """pytest's arguments for one tier: its tests, its workers, its slowest tests.

    ``workers`` "auto" is one per core, and one more for the tiers that mostly wait."""
    if workers == "auto" and tier in WAITING_TIERS:
        workers = str(cores() + 1)
    return ["-n", workers, SLOWEST, *TIERS[tier]]


def chosen_tiers(names: list[str] | None) -> list[str]:
    """The tiers named with ``--tier`` (repeated or comma-separated), in TIERS' order; all
    of them when none is named."""
    wanted = {n.strip() for name in names or [] for n in name.split(",") if n.strip()}
    unknown = sorted(wanted - set(TIERS))
    if unknown:
        raise SetupError(f"No test tier {', '.join(unknown)}: the tiers are "
                         f"{', '.join(TIERS)}.")
    return [tier for tier in TIERS if tier in wanted or not wanted]


def lint_and_types(py: Path) -> bool:
    return all(run(step) == 0 for step in (lint_command(py), [py, "-m", "mypy"]))


def cmd_check(args: argparse.Namespace) -> int:
    """The quick tier: lint, types, and the unit tests (tests/unit: they start no process)."""
    let_python_keep_bytecode()
    py = install("dev", python=args.python)
    if not lint_and_types(py):
        return 1
    return run_tiers(py, ["unit"], args.workers, args.pytest_args)


def lint_command(py: Path) -> list[str]:
    return [py, "-m", "ruff", "check", "app", "fedlearn_kit", "tools", "tests", "benchmarks",
            "course.py"]


def cmd_test(args: argparse.Namespace) -> int:
    """Every tier, one pytest run each (ruff and mypy beside them), or the tiers named with
    --tier.

    A failing tier does not stop the next: one run shows every tier's result. Options for
    pytest (``-k deploy``) go to every tier; a tier none of whose tests they select is skipped,
    but a run that selects no test at all fails."""
    tiers = chosen_tiers(args.tier)
    let_python_keep_bytecode()
    py = install("dev", python=args.python)
    if args.tier:
        return run_tiers(py, tiers, args.workers, args.pytest_args)
    # ruff and mypy need one core for about half a minute on a fresh clone (mypy has no
    # cache there): they run beside the tiers, their output is shown after the tiers', and
    # a lint or type error fails the run as before.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        lint: dict[str, tuple[int, float]] = {LINT: (1, 0.0)}  # a failure until it ran
        checks = threading.Thread(target=lambda: lint.update({LINT: lint_and_types_into(
            py, output)}))
        checks.start()
        results = tier_results(py, tiers, args.workers, args.pytest_args)
        checks.join()
        output.seek(0)
        say(f"{LINT} (run beside the tiers) said:\n" + output.read().rstrip())
    return report_tiers({**lint, **results},
                        selecting=bool(args.pytest_args) and len(tiers) > 1)


def lint_and_types_into(py: Path, output) -> tuple[int, float]:
    """ruff, then mypy, their output into the file ``output``: the worse exit code, and
    the seconds both took."""
    start = time.monotonic()
    codes = [run(step, stdout=output, stderr=subprocess.STDOUT)
             for step in (lint_command(py), [py, "-m", "mypy"])]
    return max(codes), time.monotonic() - start


def run_tiers(py: Path, tiers: list[str], workers: str, pytest_args: list[str]) -> int:
    """One pytest run per tier, then each tier's outcome and time (:func:`report_tiers`)."""
    return report_tiers(tier_results(py, tiers, workers, pytest_args),
                        selecting=bool(pytest_args) and len(tiers) > 1)


def tier_results(py: Path, tiers: list[str], workers: str, pytest_args: list[str]
                 ) -> dict[str, tuple[int, float]]:
    """Run each tier's pytest in turn: its exit code and seconds, by tier."""
    results: dict[str, tuple[int, float]] = {}
    for tier in tiers:
        say(f"tier {tier}")
        start = time.monotonic()
        code = run([py, "-m", "pytest", *tier_arguments(tier, workers), *pytest_args])
        results[tier] = (code, time.monotonic() - start)
    return results


def report_tiers(results: dict[str, tuple[int, float]], selecting: bool) -> int:
    """Say each tier's outcome and time; the exit code of the whole run (pytest's 5,
    "no test collected", is a failure unless options chose tests and another tier ran some).
    ``results`` may also hold the lint step (:data:`LINT`)."""
    ran_some = any(code != 5 for tier, (code, _) in results.items() if tier != LINT)
    failed = False
    for tier, (code, seconds) in results.items():
        if code == 0:
            outcome = "passed"
        elif tier == LINT:
            outcome, failed = f"FAILED (exit {code}: read ruff's and mypy's messages)", True
        elif code == 5 and selecting and ran_some:
            outcome = "no test selected by the options given"
        elif code == 5:
            outcome, failed = "FAILED: no test collected (a failure, not a pass)", True
        else:
            outcome, failed = f"FAILED (pytest exit {code})", True
        say(f"{'tier ' if tier in TIERS else ''}{tier}: {outcome} in {seconds:.0f} s")
    return 1 if failed else 0


def cmd_hub(args: argparse.Namespace) -> int:
    """The room server: install the hub set if needed, then ``fedlearn-kit hub ...``."""
    py = install("hub", python=args.python)
    return run([py, "-m", "fedlearn_kit.cli", "hub", *(args.hub_args or ["up"])])


def cmd_doctor(args: argparse.Namespace) -> int:
    py = venv_python()
    if not py.exists():
        say("no .venv yet: run `python course.py lab` (or `install`) first.")
        return 1
    return run([py, "-m", "fedlearn_kit.cli", "doctor", *args.doctor_args])


# --- the offline bundle -------------------------------------------------------------------

#: The oldest macOS a bundle (and the lock) serves: torch 2.13's only macOS wheel is
#: ``macosx_14_0_arm64``. A macOS bundle takes, for every package, a wheel that runs there.
MACOS_OLDEST = 14
#: Target platforms a facilitator can name, with the wheel tags pip may take for each.
PLATFORMS = {
    "linux-x86_64": {"tags": [f"manylinux_2_{m}_x86_64" for m in range(17, 35)]
                     + ["manylinux2014_x86_64", "linux_x86_64"],
                     "markers": {"sys_platform": "linux", "platform_system": "Linux",
                                 "platform_machine": "x86_64", "os_name": "posix"},
                     "system": "Linux x86_64 (glibc 2.34 or newer)"},
    "windows-amd64": {"tags": ["win_amd64"],
                      "markers": {"sys_platform": "win32", "platform_system": "Windows",
                                  "platform_machine": "AMD64", "os_name": "nt"},
                      "system": "Windows 10/11 x86_64"},
    # What pip on an Apple silicon Mac with the oldest supported macOS accepts.
    "macos-arm64": {"tags": [f"macosx_{v}_0_{a}" for v in range(MACOS_OLDEST, 10, -1)
                             for a in ("arm64", "universal2")]
                    + [f"macosx_10_{m}_universal2" for m in range(16, 3, -1)],
                    "markers": {"sys_platform": "darwin", "platform_system": "Darwin",
                                "platform_machine": "arm64", "os_name": "posix"},
                    "system": f"macOS {MACOS_OLDEST} or newer on Apple silicon"},
}
#: The bundle's own record of what it holds (read by ``install --from-bundle``).
MANIFEST = "bundle.json"


def this_platform() -> str | None:
    """This laptop's bundle platform (``PLATFORMS``' key), or None if bundles have none."""
    import platform

    machine = platform.machine().lower()
    if sys.platform.startswith("linux") and machine in ("x86_64", "amd64"):
        return "linux-x86_64"
    if sys.platform == "win32" and machine in ("amd64", "x86_64"):
        return "windows-amd64"
    if sys.platform == "darwin" and machine == "arm64":
        return "macos-arm64"
    return None


def locked_requirements(kind: str) -> list[str]:
    """Every requirement line of a lock set, following its ``-r`` chain (options dropped)."""
    lines: list[str] = []
    for raw in LOCKS[kind].read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if line.startswith("-r "):
            lines += locked_requirements(next(k for k, p in LOCKS.items()
                                              if p.name == line[3:].strip()))
        elif line and not line.startswith(("#", "-")):
            lines.append(line)
    return list(dict.fromkeys(lines))  # two bases may share a base (dev: simulation, hub)


def requirements_for(kind: str, target: str, python_version: str, patch: int = 99
                     ) -> list[str]:
    """The lock set's pins that apply on ``target``: markers evaluated for that platform,
    not for the machine building the bundle (pip would evaluate them here). ``patch``: the
    laptops' patch release (some pins differ, e.g. before and after 3.11.5)."""
    from packaging.requirements import Requirement  # in .venv: this runs there

    env = {**PLATFORMS[target]["markers"], "python_version": python_version,
           "python_full_version": f"{python_version}.{patch}", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "extra": ""}
    pins = []
    for line in locked_requirements(kind):
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(env):
            pins.append(f"{requirement.name}{requirement.specifier}")
    return pins


def target_tags(target: str, python_version: str) -> set:
    """Every wheel tag a laptop of ``target`` with ``python_version`` can install."""
    from packaging import tags

    major, minor = (int(p) for p in python_version.split("."))
    platforms = PLATFORMS[target]["tags"]
    return {*tags.cpython_tags((major, minor), platforms=platforms),
            *tags.compatible_tags((major, minor), f"cp{major}{minor}", platforms)}


_LISTINGS: dict[str, list[str]] = {}


def index_files(name: str, version: str, index: str | None = None) -> list[str]:
    """The file names the package index lists for ``name`` at ``version`` ([] if none).

    Asks the index's simple API (PEP 691 JSON, compressed), as pip does, once per package
    however many platforms are checked. Nothing is downloaded but the listing."""
    import gzip

    index = (index or os.environ.get("PIP_INDEX_URL") or PYPI_SIMPLE).rstrip("/")
    key = f"{index}/{name}/"
    if key not in _LISTINGS:
        request = urllib.request.Request(key, headers={
            "Accept": "application/vnd.pypi.simple.v1+json", "Accept-Encoding": "gzip"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = answer.read()
                if answer.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
            files = json.loads(body).get("files", [])
        except (OSError, ValueError):
            files = []
        _LISTINGS[key] = [f["filename"] for f in files if not f.get("yanked")]
    prefix = f"-{version}-"
    return [f for f in _LISTINGS[key] if prefix in f or f.endswith(f"-{version}.tar.gz")]


#: What the docs say to do when a package has no wheel for a laptop (docs/laptops.md).
NO_WHEEL_ADVICE = {
    "linux-x86_64": "docs/laptops.md, 'Which combinations are tested': Linux needs glibc 2.34 "
                    "or newer; torch's CPU build comes from PyTorch's own index",
    "windows-amd64": "docs/laptops.md, 'Which combinations are tested': such a laptop joins a "
                     "neighbour or uses a shared server",
    "macos-arm64": f"docs/laptops.md, 'macOS specifics': macOS {MACOS_OLDEST} or newer on "
                   "Apple silicon; other Macs join a neighbour or use a shared server",
}


def missing_wheels(pins: list[str], target: str, python_version: str,
                   files_of=index_files) -> list[str]:
    """One sentence per pin that has no wheel a ``target`` laptop with ``python_version``
    can install (asks the index for file names only: nothing is downloaded)."""
    from concurrent.futures import ThreadPoolExecutor

    from packaging.requirements import Requirement
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
    from packaging.version import Version

    usable = target_tags(target, python_version)
    requirements = [Requirement(pin) for pin in pins]
    with ThreadPoolExecutor(8) as pool:
        listings = list(pool.map(lambda r: files_of(canonicalize_name(r.name), next(
            iter(r.specifier)).version), requirements))
    problems = []
    for requirement, files in zip(requirements, listings, strict=True):
        wanted = Version(next(iter(requirement.specifier)).version)
        tags_found = []
        for filename in files:
            try:
                _, version, _, wheel_tags = parse_wheel_filename(filename)
            except InvalidWheelFilename:
                continue  # an sdist, or a name pip would not take either
            if version == wanted:
                tags_found += [str(t) for t in wheel_tags]
        if not any(tag in {str(t) for t in usable} for tag in tags_found):
            platforms = sorted({t.split("-")[-1] for t in tags_found})[:6]
            have = (f"its wheels are for {', '.join(platforms)}" if platforms
                    else "the index lists no wheel of that version")
            problems.append(f"{requirement} has no wheel for {target}, Python "
                            f"{python_version} ({have}). What to do: "
                            f"{NO_WHEEL_ADVICE[target]}.")
    return problems


def _bundle_wheels(bundle: Path) -> Path:
    wheels = bundle / "wheels"
    if not wheels.is_dir():
        raise SetupError(f"{bundle} is not a course bundle (no wheels/ folder inside): "
                         "the facilitator builds one with `python course.py bundle`.")
    return wheels


def read_manifest(bundle: Path) -> dict:
    """What a bundle holds (``bundle.json``): its set, and per platform the Pythons."""
    try:
        return json.loads((bundle / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def bundle_pythons(bundle: Path) -> list[tuple[int, int]] | None:
    """The Pythons the bundle has wheels for on this laptop's platform (None: unknown)."""
    served = read_manifest(bundle).get("platforms", {}).get(this_platform() or "", {})
    versions = served.get("pythons")
    return [tuple(int(p) for p in v.split(".")) for v in versions] if versions else None


def check_bundle_fits(bundle: Path, python: tuple[int, int] | None) -> None:
    """Refuse, naming the bundle to build, a bundle without wheels for this laptop."""
    manifest = read_manifest(bundle)
    if not manifest:
        return  # a bundle from before the manifest: pip will say what is missing
    target, platforms = this_platform(), manifest.get("platforms", {})
    version = ".".join(map(str, python)) if python else "?"
    here = f"{target or sys.platform}, Python {version}"
    served = platforms.get(target or "", {}).get("pythons", [])
    if version in served:
        return
    holds = "; ".join(f"{name}: Python {', '.join(p['pythons'])}"
                      for name, p in sorted(platforms.items())) or "nothing"
    build = (f"`python course.py bundle --platform {target} --python-version {version}`"
             if target else "none: bundles serve Linux x86_64, Windows x86_64 and Apple "
             "silicon Macs")
    other = f", or install Python {' or '.join(served)} on this laptop" if served else ""
    raise SetupError(
        f"This bundle ({bundle}) has no wheels for this laptop ({here}); it holds {holds}. "
        f"Ask the facilitator for a bundle built with {build} (it can go into the same "
        f"folder){other}. docs/laptops.md, 'Before a workshop', says how.")


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(HERE))
    except ValueError:
        return str(path)


#: The folders pyproject.toml's [tool.setuptools] packages live in (its package-dir maps
#: data/ to fedlearn_kit.data and app/fedlearn_app to fedlearn_app): the kit's wheel is built
#: from these (tests/unit/test_pins.py checks the two lists agree).
KIT_SOURCES = ("fedlearn_kit", "data", "app/fedlearn_app")


def _build_kit_wheel(py: Path, wheels: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:  # build outside the course folder:
        source = Path(scratch) / "src"              # no build/ or egg-info left behind
        for folder in KIT_SOURCES:
            shutil.copytree(HERE / folder, source / folder,
                            ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(HERE / name, source / name)
        check_run([py, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps",
                   "-w", wheels, source], "Building the kit's wheel", "Read pip's message.")


def write_bundle_readme(out: Path, manifest: dict) -> None:
    """README.txt for everything the folder holds, whichever run added it."""
    lines = [f"fedlearn-kit offline bundle: the {manifest.get('set', 'course')!r} set.",
             "It installs on these laptops (each with one of the Pythons named):"]
    for name, info in sorted(manifest.get("platforms", {}).items()):
        lines.append(f"  {PLATFORMS[name]['system']}: Python {', '.join(info['pythons'])}")
    lines += ["On each laptop, in the course folder, with no network needed:",
              f"    python course.py install --from-bundle {out.name}",
              "then: python course.py lab", ""]
    (out / "README.txt").write_text("\n".join(lines))


def download_wheels(py: Path, kind: str, target: str, version: str, index: list[str],
                    wheels: Path) -> bool:
    """pip downloads the wheels of the ``kind`` set's pins for ``target`` laptops with Python
    ``version`` into ``wheels``; False if pip could not (its message is shown).

    Markers are evaluated for the oldest and the newest patch release (a few pins differ). A
    pin is the same wheel for every patch release (wheel tags name no patch), so the newest
    patch asks only for its own pins: asking pip again for all of them took 22 s of reading
    the index and finding each file already there.
    """
    ok, fetched = True, set()
    for patch in (0, 99):
        pins = [p for p in requirements_for(kind, target, version, patch) if p not in fetched]
        fetched.update(pins)
        if not pins:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            listing = Path(scratch) / "pins.txt"
            listing.write_text("\n".join(pins) + "\n")
            tags = [a for tag in PLATFORMS[target]["tags"] for a in ("--platform", tag)]
            code = run([py, "-m", "pip", "download", "--disable-pip-version-check",
                        "--no-deps", "--only-binary=:all:", "--implementation", "cp",
                        "--python-version", f"{version}.{patch}", *tags, *index,
                        "-d", wheels, "-r", listing])
        ok = ok and code == 0
    return ok


def cmd_bundle(args: argparse.Namespace) -> int:
    """Download every wheel the laptops in the room need, and build the kit's own wheel.

    ``--check`` downloads nothing: it asks the package index whether every pinned package
    has a wheel for each platform and Python, and names each one that has none. A platform
    that fails is reported and the others go on; the folder's ``bundle.json`` and
    ``README.txt`` name every platform and Python it holds, whichever run added them."""
    py = install("course", python=args.python)
    if Path(sys.prefix).resolve() != _prefix(py).resolve():  # markers need .venv's packaging
        return run([py, __file__, "bundle", *sys.argv[2:]])
    targets = [(t, v) for t in args.platform for v in args.python_version]
    problems: list[str] = []
    for target, version in targets:
        pins = sorted({p for patch in (0, 99) for p in requirements_for(args.set, target,
                                                                         version, patch)})
        if target == "linux-x86_64":  # torch's +cpu build is on PyTorch's index only
            pins = [p for p in pins if not p.startswith("torch==")]
        found = missing_wheels(pins, target, version)
        say(f"{target}, Python {version}: " + ("every pinned package has a wheel" if not found
                                               else f"{len(found)} package(s) without a wheel"))
        problems += found
    if args.check:
        for problem in problems:
            say(problem)
        return 1 if problems else 0
    out = Path(args.out).resolve()
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    _build_kit_wheel(py, wheels)  # first: a half-built bundle still has the kit
    manifest = read_manifest(out) or {"set": args.set, "platforms": {}}
    if manifest.get("set") != args.set:
        raise SetupError(f"{out} holds the {manifest.get('set')!r} set; use another --out "
                         f"for the {args.set!r} set.")
    index = [] if not torch_index_reachable() else ["--extra-index-url", TORCH_CPU_INDEX]
    failed: list[str] = []
    for target, version in targets:
        if any(f" for {target}, Python {version} " in p for p in problems):
            failed.append(f"{target}, Python {version}: packages without a wheel (above)")
            continue
        ok = download_wheels(py, args.set, target, version, index, wheels)
        if not ok:
            failed.append(f"{target}, Python {version}: pip could not download every wheel "
                          "(its message is above)")
            continue
        served = manifest["platforms"].setdefault(target, {"pythons": []})
        served["pythons"] = sorted(set(served["pythons"]) | {version})
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    write_bundle_readme(out, manifest)
    for problem in problems:
        say(problem)
    size = sum(p.stat().st_size for p in wheels.iterdir()) / 1e6
    say(f"bundle {'ready' if not failed else 'INCOMPLETE'}: {out} "
        f"({len(list(wheels.iterdir()))} wheels, {size:.0f} MB)")
    if failed:
        raise SetupError("These were left out of the bundle: " + "; ".join(failed) + ". The "
                         "rest installs (README.txt in the folder says for which laptops).")
    return 0


# --- the lock ---------------------------------------------------------------------------

def _uv() -> str:
    """uv from .venv (Flower depends on it), else from PATH."""
    for candidate in (VENV / ("Scripts/uv.exe" if WINDOWS else "bin/uv"),):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("uv")
    if not found:
        raise SetupError("`lock` needs uv: `python course.py install` brings it (with Flower).")
    return found


def _pip_config(key: str) -> list[str]:
    """The values pip's configuration files give ``key`` (``global.find-links``), if any."""
    try:
        configured = subprocess.run([sys.executable, "-m", "pip", "config", "get", key],
                                    capture_output=True, text=True)
    except OSError:
        return []
    return configured.stdout.split() if configured.returncode == 0 else []


def _pip_find_links() -> list[str]:
    """The wheel folders pip is configured with here (e.g. a local torch CPU wheel), so the
    resolution sees the same files pip will install from."""
    folders = os.environ.get("PIP_FIND_LINKS", "").split() + _pip_config("global.find-links")
    return list(dict.fromkeys(folders))


def _package(line: str) -> str:
    """The normalised package name of a lock line (``Foo_Bar==1 ; ...`` -> ``foo-bar``)."""
    import re

    return re.sub(r"[-_.]+", "-", re.split(r"[=<>!~ ;\[]", line.strip(), maxsplit=1)[0]).lower()


def cmd_lock(args: argparse.Namespace) -> int:
    """Resolve pyproject.toml's pins for every platform and Python (uv pip compile
    --universal), once with every extra; then write each set as a subset of that one
    resolution, so the three files can never disagree."""
    uv = args.uv or _uv()
    folders = args.find_links if args.find_links is not None else _pip_find_links()
    find_links = [a for d in folders for a in ("--find-links", d)]
    with tempfile.TemporaryDirectory() as scratch:
        overrides = Path(scratch) / "overrides.txt"
        # torch's CPU build everywhere: ``+cpu`` from PyTorch's index on Linux (PyPI's is the
        # CUDA build); PyPI's Windows and macOS wheels are CPU builds already.
        torch = project_pin("torch")
        overrides.write_text(f"torch=={torch}+cpu ; sys_platform == 'linux'\n"
                             f"torch=={torch} ; sys_platform != 'linux'\n")
        everything = Path(scratch) / "all.txt"
        # The current lock as uv's preferences (uv keeps an output file's pins where it
        # can): a new lock changes only what must change.
        everything.write_text("\n".join(locked_requirements("dev")) + "\n")
        common = [uv, "pip", "compile", "--universal", "--python-version", "3.11",
                  "--no-header", "--no-annotate", "--quiet", "--override", overrides,
                  *find_links, HERE / "pyproject.toml"]
        check_run([*common, "--extra", "dev", "--extra", "simulation", "-o", everything],
                  "Resolving", "Read uv's message.")
        chosen: dict[str, set[str]] = {}
        for kind in LOCKS:
            target = Path(scratch) / f"{kind}.txt"
            target.write_text("\n".join(locked_requirements(kind)) + "\n")
            extras = [a for e in EXTRAS[kind] for a in ("--extra", e)]
            check_run([*common, *extras, "-c", everything, "-o", target],
                      f"Resolving the {kind} set", "Read uv's message.")
            chosen[kind] = {ln for ln in target.read_text().splitlines()
                            if ln.strip() and not ln.startswith("#")}
    for kind, path in LOCKS.items():
        bases = BASES[kind]
        # torch is forced by the override for every platform in the course set already; a
        # larger resolution splits its markers differently, which must not pin it twice.
        own = sorted((line for line in chosen[kind].difference(*(chosen[b] for b in bases))
                      if not (bases and _package(line) == "torch")), key=str.lower)
        head = [f"# The {kind} set, every transitive dependency pinned for Linux, macOS and "
                "Windows,", "# Python 3.11-3.13. Generated by `python course.py lock` from "
                "pyproject.toml: do not edit."]
        head += (["-r " + LOCKS[b].name for b in bases] if bases else
                 ["# torch's CPU build on Linux (+cpu) comes from PyTorch's own index; "
                  "PyPI's Windows and macOS torch is the CPU build.",
                  f"--extra-index-url {TORCH_CPU_INDEX}"])
        path.write_text("\n".join(head + own) + "\n")
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError("`lock` needs npm for the room server's proxy (lock/hub-proxy).")
    check_run([npm, "install", "--package-lock-only", "--omit-lockfile-registry-resolved",
               "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", HUB_PROXY_LOCK],
              "Resolving the room server's proxy (npm)", "Read npm's message.")
    say("wrote " + ", ".join(str(p.relative_to(HERE)) for p in LOCKS.values())
        + ", lock/hub-proxy/package-lock.json")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python course.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    workers = os.environ.get("FEDLEARN_TEST_WORKERS", "auto")

    def add(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--python", help="the Python to create .venv with "
                                              "(default: this one, if 3.11-3.13)")
        command.add_argument("--venv", default=str(VENV), help=argparse.SUPPRESS)
        command.add_argument("--no-venv", action="store_true",
                             help="use the Python running this file (e.g. an activated conda "
                                  "environment from environment.yml), not .venv")
        command.set_defaults(handler=handler)
        return command

    lab = add("lab", cmd_lab, "set up if needed, then open JupyterLab on the course")
    lab.add_argument("--port", type=int, default=None, help="JupyterLab's port (default 8888)")
    lab.add_argument("--print-command", action="store_true", help=argparse.SUPPRESS)

    for name, handler, text in (("test", cmd_test, "set up if needed, then run every test"),
                                ("check", cmd_check, "ruff, mypy and the quick unit tests")):
        command = add(name, handler, text)
        command.add_argument("--workers", default=workers,
                             help="pytest-xdist workers (default: one per core)")
        command.set_defaults(pytest_args=[])  # anything else on the line goes to pytest
        if name == "test":
            command.add_argument("--tier", action="append", metavar="NAME",
                                 help=f"run only this tier ({', '.join(TIERS)}); repeat it, "
                                      "or separate names with commas, for several")

    inst = add("install", cmd_install, "install the locked set into .venv")
    inst.add_argument("--set", choices=list(LOCKS), default="course",
                      help="course (learners), simulation (+Ray) or dev (+test tools)")
    inst.add_argument("--from-bundle", metavar="DIR", help="install offline from a bundle")
    inst.add_argument("--force", action="store_true", help="reinstall even if up to date")

    hub = add("hub", cmd_hub, "a room server: JupyterHub serving the course to a room "
                              "(Linux, as root; fedlearn-kit hub)")
    hub.set_defaults(hub_args=[])  # the hub command's own options, passed on

    doctor = add("doctor", cmd_doctor, "is this laptop ready? (fedlearn-kit doctor)")
    doctor.set_defaults(doctor_args=[])  # the doctor's own options, passed on

    bundle = add("bundle", cmd_bundle, "facilitators: build an offline bundle for the room")
    bundle.add_argument("--out", default="fedlearn-bundle", help="folder to write")
    bundle.add_argument("--platform", nargs="+", choices=list(PLATFORMS),
                        default=list(PLATFORMS), help="laptops' platforms (default: all)")
    bundle.add_argument("--python-version", nargs="+", default=["3.11"],
                        choices=[f"{a}.{b}" for a, b in SUPPORTED],
                        help="laptops' Python versions (default 3.11; name each one the "
                             "participants have)")
    bundle.add_argument("--set", choices=list(LOCKS), default="course")
    bundle.add_argument("--check", action="store_true",
                        help="download nothing: name every pinned package that has no wheel "
                             "for these platforms and Pythons")

    lock = add("lock", cmd_lock, "maintainers: regenerate lock/ from pyproject.toml (uv)")
    lock.add_argument("--uv", default=None, help="path to uv if not on PATH")
    lock.add_argument("--find-links", nargs="*", default=None,
                      help="wheel folders for the resolution (default: pip's find-links)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    passed_on = {"test": "pytest_args", "check": "pytest_args", "doctor": "doctor_args",
                 "hub": "hub_args"}
    if extra and args.command not in passed_on:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command in passed_on:  # e.g. `python course.py test -k deploy -x`
        rest = getattr(args, passed_on[args.command]) + extra
        setattr(args, passed_on[args.command], [a for a in rest if a != "--"])
    global USE_CURRENT, VENV
    USE_CURRENT = args.no_venv
    VENV = Path(args.venv).resolve()
    try:
        return args.handler(args)
    except SetupError as err:
        print(f"[course] {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
