"""Is this the environment the course was written for? (lesson 00)"""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata

from fedlearn_kit.i18n import _

#: Packages whose versions the first cell of the course reports.
REPORTED = ("torch", "flwr", "pandas", "numpy")
#: The Python versions the course supports; the whole suite, notebooks' stored outputs
#: included, passes on each (README, "Tested"). ``course.py`` keeps its own copy (it may
#: not import the kit); tests/unit/test_pins.py checks that the two agree.
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))


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
    supported = ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)
    rows = [("python", platform.python_version(), supported)]
    warnings = []
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        warnings.append(_("Python {version} is not one the course supports ({supported}).")
                        .format(version=platform.python_version(), supported=supported))
    for package in REPORTED:
        installed = installed_version(package) or _("not installed")
        pinned = pins.get(package, "?")
        rows.append((package, installed, pinned))
        if not _same_release(installed, pinned):
            warnings.append(_("{package} {installed} differs from the pinned {pinned}.").format(
                package=package, installed=installed, pinned=pinned))
    rows.append(("fedlearn-kit", installed_version("fedlearn-kit") or _("not installed"), "-"))
    if warnings:
        warnings.append(_("Numbers may differ from the stored outputs. Run `python course.py lab` "
                          "in the kit's folder (Windows: `py course.py lab`) to get the locked "
                          "environment; `python course.py doctor` says what differs."))
    return rows, warnings


def check_environment() -> bool:
    """Print the versions the course depends on and warn about any that differ from the pins."""
    rows, warnings = version_report()
    header = (_("package"), _("installed"), _("pinned"))
    width = max(len(r[0]) for r in [header, *rows])
    installed_width = max(14, len(header[1]) + 1)
    for package, installed, pinned in [header, *rows]:
        print(f"{package:<{width}}  {installed:<{installed_width}} {pinned}")
    for warning in warnings:
        print(_("WARNING: {warning}").format(warning=warning))
    if not warnings:
        print(_("All versions match the pins: your numbers will match the course's."))
    return not warnings
