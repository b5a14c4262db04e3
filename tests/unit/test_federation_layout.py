"""The federation package stays in rooms a newcomer can find (issue 19).

Small modules with one job each, and an in-process run that loads nothing of the
deployment (its processes, certificates and supervisor are for lesson 07 and the room).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fedlearn_kit

FEDERATION = Path(fedlearn_kit.__file__).parent / "federation"
#: The most lines a module of ``fedlearn_kit/federation`` may have.
MAX_LINES = 500


def long_modules(folder: Path, limit: int) -> dict[str, int]:
    """Every ``.py`` file below ``folder`` with more than ``limit`` lines, and its count."""
    counts = {p.relative_to(folder).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
              for p in sorted(folder.rglob("*.py"))}
    return {name: lines for name, lines in counts.items() if lines > limit}


def test_no_module_in_federation_is_over_500_lines() -> None:
    assert long_modules(FEDERATION, MAX_LINES) == {}, (
        f"Split these by job (at most {MAX_LINES} lines each).")


def test_the_line_check_finds_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "long.py").write_text("x = 1\n" * 6)
    (tmp_path / "short.py").write_text("x = 1\n" * 5)
    assert long_modules(tmp_path, 5) == {"sub/long.py": 6}


@contextmanager
def fresh_kit_modules() -> Iterator[None]:
    """Import the kit anew inside the block, as a fresh interpreter would; restore after.

    Only the kit's own modules are set aside (Flower and torch stay loaded: they cannot be
    imported twice in one process and are not what the test is about).
    """
    kept = {name: module for name, module in sys.modules.items()
            if name == "fedlearn_kit" or name.startswith("fedlearn_kit.")}
    for name in kept:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "fedlearn_kit" or
                     n.startswith("fedlearn_kit.")]:
            del sys.modules[name]
        sys.modules.update(kept)


def deployment_modules() -> list[str]:
    return sorted(n for n in sys.modules if n.startswith("fedlearn_kit.federation.deployment"))


def test_an_in_process_run_imports_nothing_of_the_deployment() -> None:
    with fresh_kit_modules():
        import fedlearn_kit as kit
        from fedlearn_kit import federation

        assert deployment_modules() == []
        exp = kit.Experiment(num_sites=2, num_rounds=1, patients_per_site=60)
        result = federation.run(exp, engine="local", progress=False)
        assert len(result.sites) == 2 and result.took_part[1]  # it trained
        assert deployment_modules() == [], "the in-process engine loaded the deployment"


def test_the_isolation_above_would_see_the_deployment_load() -> None:
    """The check above could not fail if importing inside the block were invisible."""
    with fresh_kit_modules():
        from fedlearn_kit.federation import deployment

        assert deployment.Deployment.__name__ == "Deployment"
        assert "fedlearn_kit.federation.deployment.state" in deployment_modules()
