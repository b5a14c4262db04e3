"""``fedlearn-kit hub up|status|down|share-key|share-ca``: the room server from a terminal.

``python course.py hub`` installs the hub set if needed and runs ``fedlearn-kit hub up``.

``up`` prints what the facilitator needs: the address participants type, the room password
for the projector, and the facilitator's own login (name and password) for their screen
only. ``status`` lists who is in and whose server runs (the hub's admin page shows
the same at ``/hub/admin``). ``down`` stops everything; ``--remove-users`` also deletes the
participants' accounts and homes, their answers with them: say so to the room first, and
let everyone download their DPIA draft (lesson 08) before.

The hub never collects participants' answers or drafts for the facilitator
(docs/room-server.md says why).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fedlearn_kit.hub import server
from fedlearn_kit.hub.settings import RoomSettings, load
from fedlearn_kit.i18n import _


def _course_folder() -> Path:
    from fedlearn_kit.paths import course_root

    root = course_root()
    if root is None:
        raise FileNotFoundError(_("the room server serves a course folder, and this kit is "
                                  "installed without one: run it from a course checkout "
                                  "installed with `python course.py install`"))
    return root


def _up(args: argparse.Namespace) -> int:
    if bool(args.cert) != bool(args.key):
        print(_("Give both --cert and --key (the region's certificate and its key), or "
                "neither (the room makes its own)."), file=sys.stderr)
        return 2
    settings = RoomSettings(
        workdir=str(Path(args.workdir).resolve()), course=str(_course_folder()),
        python=sys.executable, host=args.host, port=args.port, address=args.address,
        admin=args.admin, homes=str(Path(args.homes).resolve()),
        mem_limit_gib=args.mem_limit, idle_timeout_s=int(args.idle_timeout * 60),
        automation=args.automation, lab_args=args.lab_arg,
        cert=str(Path(args.cert).resolve()) if args.cert else "",
        key=str(Path(args.key).resolve()) if args.key else "")
    if args.password:
        settings.room_password = args.password
    try:
        settings = server.up(settings, renew=args.renew)
    except (server.RoomError, OSError) as err:
        print(err, file=sys.stderr)
        return 1
    print(_("The room server runs (JupyterHub, pid {pid}).\n"
            "  Participants open:   {url}\n"
            "  Room password:       {password}\n"
            "  Facilitator login:   {admin} / {admin_password}\n"
            "  Who is in:           {url}hub/admin  or  fedlearn-kit hub status --workdir "
            "{workdir}\n"
            "  Stop it with:        fedlearn-kit hub down --workdir {workdir}").format(
        pid=settings.pid, url=settings.url, password=settings.room_password,
        admin=settings.admin, admin_password=settings.admin_password,
        workdir=settings.workdir))
    if settings.ca:
        print(_("  The room's own certificate: browsers warn until they trust {ca} "
                "(docs/room-server.md).").format(ca=settings.exchange / "room-ca.crt"))
    if settings.automation:
        print(_("  --automation: the room's service token can use participants' servers "
                "(tests and benchmarks only)."))
    return 0


def _status(args: argparse.Namespace) -> int:
    from fedlearn_kit.hub.api import HubAPIError, HubClient

    try:
        settings = load(Path(args.workdir).resolve())
        people = HubClient(settings).participants()
    except (FileNotFoundError, HubAPIError) as err:
        print(err, file=sys.stderr)
        return 1
    running = sum(p.server == "running" for p in people)
    print(_("{url}: {n} name(s), {running} server(s) running").format(
        url=settings.url, n=len(people), running=running))
    for person in sorted(people, key=lambda p: p.name != settings.admin):
        role = _("facilitator") if person.name == settings.admin else _("participant")
        print(f"  {person.name:<22} {role:<12} {person.server:<9} "
              + _("last active {time}").format(time=person.last_activity or "-"))
    return 0


def _down(args: argparse.Namespace) -> int:
    try:
        report = server.down(Path(args.workdir).resolve(), remove_users=args.remove_users)
    except (FileNotFoundError, server.RoomError) as err:
        print(err, file=sys.stderr)
        return 1
    print(_("Stopped {n} process(es).").format(n=len(report["stopped"])))
    if report["users_removed"]:
        print(_("Removed {n} account(s) with their homes: {names}").format(
            n=len(report["users_removed"]), names=", ".join(report["users_removed"])))
    if report["still_running"] or report["ports_still_open"]:
        print(_("Still running: {processes}; ports still open: {ports}").format(
            processes=report["still_running"], ports=report["ports_still_open"]),
            file=sys.stderr)
        return 1
    print(_("No process and no port of the room is left."))
    return 0


def _share_key(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation import deployment
    from fedlearn_kit.hub import exchange

    shared = exchange.share_key(args.site, Path(args.keys) if args.keys else None)
    fingerprint = deployment.certs.describe_public_key(shared)["SHA-256 fingerprint"]
    print(_("Handed in {path} (public key only; your private key stays in your home).\n"
            "Fingerprint: {fingerprint}  (read it to the facilitator)").format(
        path=shared, fingerprint=fingerprint))
    return 0


def _share_ca(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation import deployment
    from fedlearn_kit.hub import exchange

    shared = exchange.share_ca(Path(args.credentials) if args.credentials else None)
    fingerprint = deployment.certs.describe_certificate(shared)["SHA-256 fingerprint"]
    print(_("Published {path} for every participant (--ca {path}).\n"
            "Fingerprint: {fingerprint}  (show it on the projector)").format(
        path=shared, fingerprint=fingerprint))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``hub`` and its commands to the kit's command line."""
    hub = sub.add_parser("hub", help=_("the room server: JupyterHub serving the course to a "
                                     "room (Linux, as root)"))
    commands = hub.add_subparsers(dest="hub_command", required=True)
    workdir = os.environ.get("FEDLEARN_HUB_WORKDIR", str(server.DEFAULT_WORKDIR))

    p = commands.add_parser("up", help=_("start the room server and print its address and "
                                       "password"))
    p.add_argument("--workdir", default=workdir, help=_("the room's folder (default work/hub)"))
    p.add_argument("--address", default="127.0.0.1",
                   help=_("the server's name or address as participants type it"))
    p.add_argument("--host", default="0.0.0.0", help=_("the address the HTTPS port listens on"))
    p.add_argument("--port", type=int, default=443, help=_("the one HTTPS port (default 443)"))
    p.add_argument("--admin", default="facilitator", help=_("the facilitator's login name"))
    p.add_argument("--password", help=_("the room password (default: a new one, 14 characters)"))
    p.add_argument("--cert", help=_("the region's certificate for --address (PEM)"))
    p.add_argument("--key", help=_("its private key (PEM)"))
    p.add_argument("--renew", action="store_true", help=_("make a new room certificate"))
    p.add_argument("--homes", default="/home", help=_("where participants' homes are made"))
    p.add_argument("--mem-limit", type=float, default=3.0,
                   help=_("GiB one process of a participant may allocate (default 3)"))
    p.add_argument("--idle-timeout", type=float, default=60,
                   help=_("minutes before an unused server is stopped (default 60)"))
    p.add_argument("--automation", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--lab-arg", action="append", default=[], help=argparse.SUPPRESS)
    p.set_defaults(handler=_up)

    p = commands.add_parser("status", help=_("who is in, whose server runs"))
    p.add_argument("--workdir", default=workdir)
    p.set_defaults(handler=_status)

    p = commands.add_parser("down", help=_("stop the room server and everything it started"))
    p.add_argument("--workdir", default=workdir)
    p.add_argument("--remove-users", action="store_true",
                   help=_("also delete the participants' accounts and homes (their answers)"))
    p.set_defaults(handler=_down)

    p = commands.add_parser("share-key", help=_("lesson 07, participant: hand your site-K.pub "
                                              "to the facilitator through the room"))
    p.add_argument("--site", type=int, required=True, help=_("your site number K (from 0)"))
    p.add_argument("--keys", default=None, help=_("the folder `deploy keygen` wrote "
                                                "(default work/room/node-K/keys)"))
    p.set_defaults(handler=_share_key)

    p = commands.add_parser("share-ca", help=_("lesson 07, facilitator: publish the SuperLink's "
                                             "ca.crt for every participant"))
    p.add_argument("--credentials", default=None,
                   help=_("the SuperLink's credentials folder (default work/room/credentials)"))
    p.set_defaults(handler=_share_ca)
