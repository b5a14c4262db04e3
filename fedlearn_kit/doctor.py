"""``fedlearn-kit doctor``: is this laptop ready for the course? A checklist with a fix for
every failure, in well under 30 seconds; exit code 0 only when every check passes.

A participant runs it the week before a workshop, the facilitator on each laptop at the door.
The checks: the Python version and the locked versions; that JupyterLab's ``python3`` kernel is
this environment; free ports for JupyterLab and the SuperLink; that a SuperLink and a SuperNode
start on loopback with TLS (the deployment code of lesson 07, not a copy of it); disk space;
that nothing the kit starts here calls out; and, when given, that the facilitator's machine can
be reached.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from fedlearn_kit.environment import SUPPORTED_PYTHONS
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.paths import course_root

#: The port ``python course.py lab`` (and ``make lab``) gives JupyterLab.
LAB_PORT = 8888
#: The SuperLink port of the workshop room (docs/deployment.md).
SUPERLINK_PORT = 9092
#: The course's notebooks, exercises and solutions plus one environment (docs/laptops.md).
MIN_FREE_GB = 1.0
INSTALL_FIX = N_("reinstall the locked set: `python course.py install --force`")
#: The install stamp ``course.py`` writes into the environment's folder.
STAMP_NAME = "fedlearn-kit-installed.json"
#: The bundle folder the docs use (docs/laptops.md).
BUNDLE_NAME = "fedlearn-bundle"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


@dataclass
class Check:
    """One line of the checklist. A ``warning`` is printed as WARN and does not fail."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False


def install_fix(prefix: Path | None = None, course: Path | None = None) -> str:
    """The fix for a wrong or missing package: from the bundle this laptop was installed
    from, offline, when there is one (the online fix needs the network)."""
    import json

    try:
        stamp = json.loads((prefix or Path(sys.prefix)).joinpath(STAMP_NAME).read_text())
    except (OSError, ValueError):
        stamp = {}
    bundle = stamp.get("bundle") if stamp.get("from") == "bundle" else None
    if bundle is None and course is not None and (course / BUNDLE_NAME / "wheels").is_dir():
        bundle = BUNDLE_NAME
    if bundle is None and stamp.get("from") == "bundle":
        bundle = BUNDLE_NAME
    if bundle is not None:
        return _("reinstall the locked set from the bundle, offline: `python course.py install "
                 "--from-bundle {bundle} --force`").format(bundle=bundle)
    return _(INSTALL_FIX)


# --- the lock ------------------------------------------------------------------------------

def find_lock_dir(start: Path | None = None) -> Path | None:
    """``lock/`` of the course folder: the kit's checkout, else the current folder or a parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (*filter(None, [course_root()]), here, *here.parents):
        if (folder / "lock" / "course.txt").is_file():
            return folder / "lock"
    return None


def locked_pins(lock_dir: Path, name: str = "course.txt") -> dict[str, str]:
    """``{package: version}`` for this platform and Python, following ``-r`` lines."""
    from packaging.requirements import Requirement

    pins: dict[str, str] = {}
    for raw in (lock_dir / name).read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if line.startswith("-r "):
            pins.update(locked_pins(lock_dir, line[3:].strip()))
        elif line and not line.startswith(("#", "-")):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                pins[_normal(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions() -> dict[str, str]:
    return {_normal(d.metadata["Name"]): d.version for d in metadata.distributions()
            if d.metadata["Name"]}


def pin_mismatches(lock_dir: Path, installed: dict[str, str] | None = None
                   ) -> list[tuple[str, str, str]]:
    """``(package, installed, locked)`` for every package of the course set that is missing
    or differs, and every installed package of the larger sets whose version differs."""
    installed = installed_versions() if installed is None else installed
    course = locked_pins(lock_dir)
    everything = locked_pins(lock_dir, "dev.txt") if (lock_dir / "dev.txt").exists() else {}
    wrong = [(name, installed.get(name, _("missing")), version)
             for name, version in course.items() if installed.get(name) != version]
    wrong += [(name, installed[name], version) for name, version in everything.items()
              if name not in course and name in installed and installed[name] != version]
    return sorted(wrong)


# --- the checks -----------------------------------------------------------------------------

def check_python() -> Check:
    version = platform.python_version()
    ok = sys.version_info[:2] in SUPPORTED_PYTHONS
    return Check("Python", ok, f"{version} ({sys.executable})",
                 "" if ok else _("install Python 3.11 for your user (docs/laptops.md), delete "
                                 ".venv, then `python course.py lab`"))


def check_pins(lock_dir: Path | None) -> Check:
    title = _("locked versions")
    if lock_dir is None:
        return Check(title, False, _("no lock/ folder found"),
                     _("run the doctor from the course folder (the one with course.py)"))
    wrong = pin_mismatches(lock_dir)
    if not wrong:
        return Check(title, True, _("every package matches {lock}").format(lock=lock_dir))
    shown = ", ".join(_("{name} {have} (lock: {want})").format(name=name, have=have, want=want)
                      for name, have, want in wrong[:4])
    if len(wrong) > 4:
        shown = _("{shown} and {n} more").format(shown=shown, n=len(wrong) - 4)
    return Check(title, False, shown, install_fix(course=lock_dir.parent))


def check_kernel() -> Check:
    """JupyterLab's ``python3`` kernel must run this environment's Python."""
    name = _("kernel")
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Check(name, False, _("JupyterLab is not installed here"), install_fix())
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(name, False, _("no python3 kernel"), install_fix())
    program = spec.argv[0] if spec.argv else ""
    generic = {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
    # Jupyter runs a kernel whose program is plain "python" with its own interpreter.
    ours = program in generic or _same_file(program, sys.executable)
    return Check(name, ours, _("python3 kernel: {folder} runs {program}").format(
        folder=spec.resource_dir, program=program), "" if ours else _(
        "another python3 kernel shadows the kit's: remove it (`jupyter kernelspec remove "
        "python3` in the environment it came from, or delete {folder}) and start JupyterLab "
        "with `python course.py lab`").format(folder=spec.resource_dir))


def _same_file(a: str, b: str) -> bool:
    # Not resolved: a venv's python is a link to the base Python that every venv shares.
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _deployment_module():
    """Lesson 07's deployment code: the doctor starts what the lesson starts, through it."""
    from fedlearn_kit.federation import deployment

    return deployment


def check_port(what: str, port: int) -> Check:
    """Is ``port`` free? The course's own JupyterLab on its port is fine; the SuperLink's
    port matters only on the facilitator's laptop, so a taken one is a warning."""
    from fedlearn_kit.federation.deployment.process_control import port_free, port_owner

    name = _("port {port} ({what})").format(port=port, what=what)
    if port_free("127.0.0.1", port):
        return Check(name, True, _("free"))
    owner = port_owner("127.0.0.1", port)
    if what == "JupyterLab" and "jupyter" in owner.lower():
        return Check(name, True, _("used by JupyterLab ({owner}): the course's own, if you "
                                   "started it with `python course.py lab`").format(owner=owner))
    in_use = _("in use by {program}").format(program=owner)
    if what == "JupyterLab":
        return Check(name, False, in_use, _("stop that program, or use another port: "
                                            "`python course.py lab --port N`"))
    return Check(name, False, in_use,
                 _("only the facilitator's laptop opens this port: on a participant's laptop "
                   "nothing to do. On the facilitator's, stop that program (an old "
                   "deployment: `fedlearn-kit deploy down`) or use `deploy link --port N`"),
                 warning=True)


def check_proxy(environ: dict[str, str] | None = None) -> Check:
    """A proxy named in the environment: the kit keeps its own processes off it for loopback
    and the SuperLink's address (``NO_PROXY``), but says so, since anything else started by
    hand (Flower's own commands, pip) would use it."""
    from fedlearn_kit.offline import no_proxy, proxies_set

    env = dict(os.environ if environ is None else environ)
    found = proxies_set(env)
    if not found:
        return Check(_("proxy"), True, _("no proxy variable set"))
    return Check(_("proxy"), False,
                 _("{names} set; the kit's processes get NO_PROXY={no_proxy} (loopback and, in "
                   "a room, the facilitator's address) so the course works").format(
                     names=", ".join(sorted(found)), no_proxy=no_proxy(env)),
                 _("nothing for the course; if you run Flower's `flwr` or `flower-supernode` "
                   "by hand, add the facilitator's address to NO_PROXY first (docs/"
                   "deployment.md, 'A hospital proxy')"), warning=True)


def check_disk(folder: Path, minimum_gb: float = MIN_FREE_GB) -> Check:
    free_gb = shutil.disk_usage(folder).free / 1e9
    ok = free_gb >= minimum_gb
    return Check(_("disk space"), ok, _("{free:.1f} GB free in {folder}").format(
        free=free_gb, folder=folder), "" if ok else _(
        "free at least {minimum:.0f} GB on this drive").format(minimum=minimum_gb))


def check_jupyter_settings(prefix: Path | None = None) -> Check:
    """JupyterLab's news and update checks and its Extension Manager are off here."""
    import json

    from fedlearn_kit.offline import JUPYTER_LAB_CONFIG, JUPYTERLAB_SETTINGS

    prefix = prefix or Path(sys.prefix)
    files = {prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json":
             JUPYTERLAB_SETTINGS,
             prefix / "etc" / "jupyter" / "jupyter_lab_config.json":
             JUPYTER_LAB_CONFIG}
    wrong = []
    for path, wanted in files.items():
        try:
            ok = json.loads(path.read_text()) == wanted
        except (OSError, ValueError):
            ok = False
        if not ok:
            wrong.append(str(path))
    if not wrong:
        return Check(_("JupyterLab stays offline"), True,
                     _("news, update checks and Extension Manager search off"))
    return Check(_("JupyterLab stays offline"), False, _("{path} missing or wrong").format(
        path=", ".join(wrong)), install_fix())


class OutboundWatch:
    """Records, and blocks, every connection this process attempts to a non-loopback address.

    A ``socket.connect`` audit hook sees each attempt before the system call, and refuses
    it, so the doctor itself never reaches out; the SuperLink's and SuperNode's connections
    are read with psutil. Audit hooks cannot be removed: it acts only while ``active``.
    """

    def __init__(self) -> None:
        self.active = False
        self.attempts: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        if self.active and event == "socket.connect":
            address = args[1]
            host = address[0] if isinstance(address, tuple) and address else ""
            if isinstance(host, str) and not _loopback(host):
                self.attempts.append(f"{host}:{address[1]}")
                raise PermissionError(_("fedlearn-kit doctor blocked a connection to {host}.")
                                      .format(host=host))

    def children(self, pids: Sequence[int]) -> None:
        import psutil

        for pid in pids:
            try:
                connections = psutil.Process(pid).net_connections(kind="inet")
            except (psutil.Error, OSError):
                continue
            for conn in connections:
                if conn.raddr and not _loopback(conn.raddr.ip):
                    self.attempts.append(f"{conn.raddr.ip}:{conn.raddr.port} (pid {pid})")


def _loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.") or host == "::ffff:127.0.0.1"


def check_deployment(watch: OutboundWatch, timeout: float = 25.0) -> Check:
    """A SuperLink and one SuperNode on loopback with TLS and node authentication."""
    deploy = _deployment_module()
    certs = deploy.certs

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fedlearn-doctor-") as workdir:
        try:
            # Flower's own per-message isolation: no warm executor importing torch, which the
            # course's lessons start; here only the SuperLink, the node and TLS are in question.
            dep = deploy.link(1, workdir, timeout=timeout, isolation="subprocess")
        except Exception as err:  # noqa: BLE001 - any failure is the check's answer
            return _deployment_failed(err)
        try:
            # The site makes its own key pair; the SuperLink learns only the public half,
            # as in the room (lesson 07).
            keys = deploy.credentials.make_site_keys(dep.site_keys(0), 0, renew=True)
            deploy.registration.add_public_keys(dep, {0: keys.public_key})
            deploy.registration.register_nodes(dep, [0])
            dep.start_supernode(0, wait=False)
            deploy.supervisor.wait_for_supernodes(dep, [0], timeout)
            watch.children([p.pid for p in dep.processes])
            tls = not dep.insecure and (dep.credentials / certs.CA_CERT).exists()
        except Exception as err:  # noqa: BLE001
            return _deployment_failed(err)
        finally:
            dep.down()
    seconds = time.monotonic() - start
    return Check(_("SuperLink + SuperNode with TLS"), tls, _(
        "started on {address}, node key accepted, stopped ({seconds:.0f} s)").format(
        address=dep.superlink, seconds=seconds), "" if tls else _(
        "TLS was off: report this as a bug"))


def _deployment_failed(err: BaseException) -> Check:
    return Check(_("SuperLink + SuperNode with TLS"), False, f"{type(err).__name__}: {err}",
                 _("read the message; on Windows, allow Python through the firewall for "
                   "private networks when asked (loopback only), then run the doctor again"))


def check_facilitator(address: str, timeout: float = 3.0) -> Check:
    host, _colon, port = address.rpartition(":")
    name = _("facilitator")
    if not host or not port.isdigit():
        return Check(name, False, _("{address!r} is not HOST:PORT").format(address=address),
                     _("give the address the facilitator shows, e.g. 192.168.1.10:9092"))
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        return Check(name, False, _("cannot reach {address}: {error}").format(
            address=address, error=err), _(
            "join the room's network (not a guest network that isolates clients); ask the "
            "facilitator whether the SuperLink runs; ask IT to allow outbound TCP to port "
            "{port} on that network").format(port=port))
    return Check(name, True, _("{address} answers").format(address=address))


def run_checks(*, lab_port: int = LAB_PORT, superlink_port: int = SUPERLINK_PORT,
               facilitator: str | None = None, deployment: bool = True,
               folder: Path | None = None) -> list[Check]:
    """Every check, in the order the checklist prints them."""
    watch = OutboundWatch()
    watch.active = True
    try:
        checks = [check_python(), check_pins(find_lock_dir(folder)), check_kernel(),
                  check_port("JupyterLab", lab_port),
                  check_port("SuperLink", superlink_port),
                  check_disk(folder or Path.cwd()), check_jupyter_settings(), check_proxy()]
        if deployment:
            checks.append(check_deployment(watch))
    finally:
        watch.active = False
    offline = not watch.attempts
    checks.append(Check(
        _("no outbound connection"), offline,
        _("none attempted by the kit, Flower's SuperLink or SuperNode") if offline
        else _("attempted: {addresses}").format(addresses=", ".join(watch.attempts[:5])),
        "" if offline else _("set FLWR_TELEMETRY_ENABLED=0 and report the address")))
    if facilitator:
        checks.append(check_facilitator(facilitator))
    return checks


def report(checks: Sequence[Check], write: Callable[[str], object] = print) -> bool:
    """Print the checklist; True when every check passed."""
    width = max(len(c.name) for c in checks)
    for check in checks:
        verdict = _("PASS") if check.ok else _("WARN") if check.warning else _("FAIL")
        write(f"  {verdict:<4}  {check.name:<{width}}  {check.detail}")
        if not check.ok:
            advice = (_("note: {fix}") if check.warning else _("fix: {fix}")).format(
                fix=check.fix)
            write(f"        {'':<{width}}  " + advice)
    failed = [c for c in checks if not c.ok and not c.warning]
    write(_("Ready for the course.") if not failed else ngettext(
        "Not ready: {n} check failed; the fix is under it.",
        "Not ready: {n} checks failed; the fix is under each.", len(failed)).format(
        n=len(failed)))
    return not failed


def run_from_args(args: argparse.Namespace) -> int:
    """Run the checks with the options of ``fedlearn-kit doctor`` and print the checklist."""
    print(_("fedlearn-kit doctor: is this laptop ready? ({platform})").format(
        platform=platform.platform()))
    start = time.monotonic()
    checks = run_checks(lab_port=args.lab_port, superlink_port=args.superlink_port,
                        facilitator=args.facilitator, deployment=not args.skip_deployment)
    ready = report(checks)
    print(_("({seconds:.0f} s)").format(seconds=time.monotonic() - start))
    return 0 if ready else 1
