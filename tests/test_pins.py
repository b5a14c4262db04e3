"""One set of pins: pyproject.toml is the source, environment.yml must say the same."""

import re
import tomllib

import yaml

from fedlearn_kit.paths import ROOT


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return dict(_parse(d) for d in deps)


def _parse(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+(?:\[[^\]]+\])?)==(\S+)", requirement.strip())
    assert match, f"not an exact pin: {requirement!r}"
    return match.group(1).lower(), match.group(2)


def test_every_dependency_is_pinned_exactly():
    pins = _pyproject_pins()
    assert pins["torch"] == "2.13.0"
    assert any(name.startswith("flwr") for name in pins)


def test_environment_yml_installs_the_same_set():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "environment.yml must install the kit itself"
    conda_pins = dict(_parse(r) for r in pip_section if r != "-e .")
    assert conda_pins == _pyproject_pins()
