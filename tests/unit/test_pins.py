"""One set of pins: pyproject.toml chooses, lock/ pins every package, environment.yml and the
install all say the same."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from fedlearn_kit import doctor
from tests.helpers import PYTHONS, ROOT, TORCH, course, pinned

LOCK = ROOT / "lock"
EXACT = re.compile(r"([A-Za-z0-9_.-]+(?:\[[^\]]+\])?)==(\S+)")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        if requirement.startswith("fedlearn-kit"):
            continue  # the dev extra names the simulation extra of the kit itself
        match = EXACT.fullmatch(requirement.strip())
        assert match, f"not an exact pin in pyproject.toml: {requirement!r}"
        pins[doctor._normal(Requirement(requirement).name)] = match.group(2)
    return pins


def _lock_lines(name: str) -> list[Requirement]:
    """Every pin of a lock set, the sets it names with ``-r`` included."""
    requirements = []
    for line in (LOCK / name).read_text().splitlines():
        if line.startswith("-r "):
            requirements += _lock_lines(line[3:].strip())
        elif line.strip() and not line.startswith(("#", "-")):
            requirements.append(Requirement(line))
    return requirements


def test_pyproject_pins_every_direct_dependency_exactly():
    project = _pyproject()
    pins = _pins(project["dependencies"])
    assert pins["torch"] == TORCH and "flwr" in pins
    for extra in ("simulation", "hub", "dev"):
        _pins(project["optional-dependencies"][extra])
    assert not {"pytest", "ruff", "playwright", "mypy", "nbval"} & set(pins), \
        "developer tools belong in the dev extra, not in what learners install"
    assert "ray" not in pins and "flwr[simulation]" not in project["dependencies"]


def test_every_lock_line_is_an_exact_pin_and_the_sets_are_layered():
    for name in ("course.txt", "simulation.txt", "hub.txt", "dev.txt"):
        for requirement in _lock_lines(name):
            assert len(requirement.specifier) == 1, str(requirement)
            assert next(iter(requirement.specifier)).operator == "==", str(requirement)
    assert "-r course.txt" in (LOCK / "simulation.txt").read_text()
    assert "-r course.txt" in (LOCK / "hub.txt").read_text()
    assert "-r simulation.txt" in (LOCK / "dev.txt").read_text()
    assert "-r hub.txt" in (LOCK / "dev.txt").read_text()


def _locked_versions(name: str) -> dict[str, set[str]]:
    versions: dict[str, set[str]] = {}
    for requirement in _lock_lines(name):
        version = str(requirement.specifier).removeprefix("==")
        versions.setdefault(doctor._normal(requirement.name), set()).add(version)
    return versions


def test_the_lock_holds_exactly_the_versions_pyproject_chooses():
    project = _pyproject()
    sets = {"course.txt": project["dependencies"],
            "simulation.txt": project["optional-dependencies"]["simulation"],
            "hub.txt": project["optional-dependencies"]["hub"],
            "dev.txt": project["optional-dependencies"]["dev"]}
    for name, requirements in sets.items():
        locked = _locked_versions(name)
        for package, version in _pins(requirements).items():
            if package == "torch":  # the CPU build: +cpu on Linux, PyPI's elsewhere
                assert _locked_versions("course.txt")["torch"] == {f"{TORCH}+cpu", TORCH}
            else:
                assert locked.get(package) == {version}, f"{name}: {package} {locked.get(package)}"
    assert "ray" in _locked_versions("simulation.txt") and "ray" not in _locked_versions(
        "course.txt"), "Ray is for the simulation engine only"
    assert "pytest" in _locked_versions("dev.txt")
    assert "jupyterhub" in _locked_versions("hub.txt") and "jupyterhub" not in _locked_versions(
        "course.txt"), "JupyterHub is for the room server only"


def test_the_room_servers_proxy_is_pinned_by_npms_lock_without_hosts():
    import json

    folder = LOCK / "hub-proxy"
    wanted = json.loads((folder / "package.json").read_text())["dependencies"]
    locked = json.loads((folder / "package-lock.json").read_text())["packages"]
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: not an exact pin"
        assert locked[f"node_modules/{name}"]["version"] == version
    for name, entry in locked.items():
        if name:  # every package has a version and its integrity hash; no registry host
            assert entry["version"] and entry["integrity"].startswith("sha512-"), name
            assert "resolved" not in entry, name


def test_torch_can_only_be_the_cpu_build():
    """Linux: PyTorch's +cpu build (PyPI's Linux torch is the CUDA build); Windows and macOS:
    PyPI's torch 2.13.0, which is the CPU build there (no second index for those laptops)."""
    torch = [r for r in _lock_lines("course.txt") if r.name == "torch"]
    for system, wanted in (("linux", f"=={TORCH}+cpu"), ("win32", f"=={TORCH}"),
                           ("darwin", f"=={TORCH}")):
        chosen = [str(r.specifier) for r in torch
                  if r.marker is None or r.marker.evaluate({"sys_platform": system})]
        assert chosen == [wanted], (system, chosen)
    for name in ("simulation.txt", "dev.txt"):  # pinned once, in the course set
        assert "torch==" not in (LOCK / name).read_text(), name
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (
        LOCK / "course.txt").read_text()


def test_environment_yml_installs_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    requires = _pyproject()["requires-python"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert f">={python.split('=')[1]}" in requires
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-r lock/course.txt", "-e ."], \
        "environment.yml must install the lock file and the kit, nothing else"


def test_this_environment_matches_the_lock():
    # What `fedlearn-kit doctor` checks on a laptop: installed versions equal the lock.
    assert doctor.pin_mismatches(LOCK) == [], "run `python course.py install --set dev --force`"


def test_a_differing_version_is_reported_with_both_versions():
    installed = doctor.installed_versions() | {"numpy": "0.0.1"}
    locked = doctor.locked_pins(LOCK)["numpy"]
    assert ("numpy", "0.0.1", locked) in doctor.pin_mismatches(LOCK, installed)


def test_every_package_folder_is_installed_and_the_cohort_ships_with_it():
    """pyproject lists the packages by hand (data/ is mapped to ``fedlearn_kit.data``): a new
    subpackage missing from the list would be absent from an installed kit."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "fedlearn_kit").rglob("__init__.py")}
    assert set(setuptools["packages"]) == folders | {"fedlearn_kit.data", "fedlearn_app"}, (
        "add the new package to [tool.setuptools] packages in pyproject.toml")
    # The course's Flower app stays in app/, where a learner finds and copies it.
    assert setuptools["package-dir"] == {"fedlearn_kit.data": "data",
                                         "fedlearn_app": "app/fedlearn_app"}
    assert (ROOT / "data" / "__init__.py").is_file() and (ROOT / "data" / "site_A.csv").is_file()
    # The offline bundle builds the kit's wheel from a copy of exactly these folders.
    places = setuptools["package-dir"]
    folders = {places.get(package, package) for package in setuptools["packages"]
               if package in places or "." not in package}
    assert set(course.KIT_SOURCES) == folders, (
        "course.py's KIT_SOURCES must name every folder a package of pyproject.toml lives in")


def test_the_supported_pythons_come_from_pyproject() -> None:
    from fedlearn_kit.environment import SUPPORTED_PYTHONS

    assert list(PYTHONS) == course.SUPPORTED  # course.py reads requires-python itself
    assert SUPPORTED_PYTHONS == PYTHONS, "fedlearn_kit/environment.py: SUPPORTED_PYTHONS"
    assert ", ".join(f"{a}.{b}" for a, b in PYTHONS[:-1]) + (
        f" or {PYTHONS[-1][0]}.{PYTHONS[-1][1]}") == course.SUPPORTED_TEXT
    assert course.project_pin("torch") == TORCH
    assert course.project_pin("flwr") == pinned("flwr")  # flwr[dp]==...: extras are skipped
