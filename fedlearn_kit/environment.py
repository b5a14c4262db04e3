"""Is this the environment the course was written for? (lesson 00)"""

from __future__ import annotations

import platform
import re
from importlib import metadata

#: Packages whose versions the first cell of the course reports.
REPORTED = ("torch", "flwr", "pandas", "numpy")


def pinned_versions() -> dict[str, str]:
    """The exact versions ``pyproject.toml`` pins, read from the installed kit's metadata."""
    pins = {}
    for requirement in metadata.requires("fedlearn-kit") or []:
        match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^;\s]+)", requirement)
        if match:
            pins[match.group(1).lower()] = match.group(3)
    return pins


def installed_version(package: str) -> str | None:
    """The installed version of ``package``, or None if it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _same_release(installed: str, pinned: str) -> bool:
    # torch reports "2.13.0+cpu" for the CPU build of the pinned "2.13.0".
    return installed.split("+")[0] == pinned


def version_report() -> tuple[list[tuple[str, str, str]], list[str]]:
    """Rows of (package, installed, pinned) and a list of warnings for any mismatch."""
    pins = pinned_versions()
    rows = [("python", platform.python_version(), "3.11")]
    warnings = []
    if not platform.python_version().startswith("3.11."):
        warnings.append(f"Python {platform.python_version()} is not 3.11, which the course "
                        "was tested with.")
    for package in REPORTED:
        installed = installed_version(package) or "not installed"
        pinned = pins.get(package, "?")
        rows.append((package, installed, pinned))
        if not _same_release(installed, pinned):
            warnings.append(f"{package} {installed} differs from the pinned {pinned}.")
    rows.append(("fedlearn-kit", installed_version("fedlearn-kit") or "not installed", "-"))
    if warnings:
        warnings.append("Numbers may differ from the stored outputs. Run `python course.py lab` "
                        "in the kit's folder (Windows: `py course.py lab`) to get the locked "
                        "environment; `python course.py doctor` says what differs.")
    return rows, warnings


def check_environment() -> bool:
    """Print the versions the course depends on and warn about any that differ from the pins."""
    rows, warnings = version_report()
    width = max(len(r[0]) for r in rows)
    print(f"{'package':<{width}}  {'installed':<14} pinned")
    for package, installed, pinned in rows:
        print(f"{package:<{width}}  {installed:<14} {pinned}")
    for warning in warnings:
        print(f"WARNING: {warning}")
    if not warnings:
        print("All versions match the pins: your numbers will match the course's.")
    return not warnings
