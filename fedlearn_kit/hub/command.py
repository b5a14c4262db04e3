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


def _course_folder() -> Path:
    from fedlearn_kit.paths import course_root

    root = course_root()
    if root is None:
        raise FileNotFoundError("the room server serves a course folder, and this kit is "
                                "installed without one: run it from a course checkout "
                                "installed with `python course.py install`")
    return root


def _up(args: argparse.Namespace) -> int:
    if bool(args.cert) != bool(args.key):
        print("Give both --cert and --key (the region's certificate and its key), or "
              "neither (the room makes its own).", file=sys.stderr)
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
    print(f"The room server runs (JupyterHub, pid {settings.pid}).\n"
          f"  Participants open:   {settings.url}\n"
          f"  Room password:       {settings.room_password}\n"
          f"  Facilitator login:   {settings.admin} / {settings.admin_password}\n"
          f"  Who is in:           {settings.url}hub/admin  or  fedlearn-kit hub status "
          f"--workdir {settings.workdir}\n"
          f"  Stop it with:        fedlearn-kit hub down --workdir {settings.workdir}")
    if settings.ca:
        print(f"  The room's own certificate: browsers warn until they trust "
              f"{settings.exchange / 'room-ca.crt'} (docs/room-server.md).")
    if settings.automation:
        print("  --automation: the room's service token can use participants' servers "
              "(tests and benchmarks only).")
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
    print(f"{settings.url}: {len(people)} name(s), {running} server(s) running")
    for person in sorted(people, key=lambda p: p.name != settings.admin):
        role = "facilitator" if person.name == settings.admin else "participant"
        print(f"  {person.name:<22} {role:<12} {person.server:<9} "
              f"last active {person.last_activity or '-'}")
    return 0


def _down(args: argparse.Namespace) -> int:
    try:
        report = server.down(Path(args.workdir).resolve(), remove_users=args.remove_users)
    except (FileNotFoundError, server.RoomError) as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Stopped {len(report['stopped'])} process(es).")
    if report["users_removed"]:
        print(f"Removed {len(report['users_removed'])} account(s) with their homes: "
              + ", ".join(report["users_removed"]))
    if report["still_running"] or report["ports_still_open"]:
        print(f"Still running: {report['still_running']}; ports still open: "
              f"{report['ports_still_open']}", file=sys.stderr)
        return 1
    print("No process and no port of the room is left.")
    return 0


def _share_key(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation import deployment
    from fedlearn_kit.hub import exchange

    shared = exchange.share_key(args.site, Path(args.keys) if args.keys else None)
    fingerprint = deployment.certs.describe_public_key(shared)["SHA-256 fingerprint"]
    print(f"Handed in {shared} (public key only; your private key stays in your home).\n"
          f"Fingerprint: {fingerprint}  (read it to the facilitator)")
    return 0


def _share_ca(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation import deployment
    from fedlearn_kit.hub import exchange

    shared = exchange.share_ca(Path(args.credentials) if args.credentials else None)
    fingerprint = deployment.certs.describe_certificate(shared)["SHA-256 fingerprint"]
    print(f"Published {shared} for every participant (--ca {shared}).\n"
          f"Fingerprint: {fingerprint}  (show it on the projector)")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``hub`` and its commands to the kit's command line."""
    hub = sub.add_parser("hub", help="the room server: JupyterHub serving the course to a "
                                     "room (Linux, as root)")
    commands = hub.add_subparsers(dest="hub_command", required=True)
    workdir = os.environ.get("FEDLEARN_HUB_WORKDIR", str(server.DEFAULT_WORKDIR))

    p = commands.add_parser("up", help="start the room server and print its address and "
                                       "password")
    p.add_argument("--workdir", default=workdir, help="the room's folder (default work/hub)")
    p.add_argument("--address", default="127.0.0.1",
                   help="the server's name or address as participants type it")
    p.add_argument("--host", default="0.0.0.0", help="the address the HTTPS port listens on")
    p.add_argument("--port", type=int, default=443, help="the one HTTPS port (default 443)")
    p.add_argument("--admin", default="facilitator", help="the facilitator's login name")
    p.add_argument("--password", help="the room password (default: a new one, 14 characters)")
    p.add_argument("--cert", help="the region's certificate for --address (PEM)")
    p.add_argument("--key", help="its private key (PEM)")
    p.add_argument("--renew", action="store_true", help="make a new room certificate")
    p.add_argument("--homes", default="/home", help="where participants' homes are made")
    p.add_argument("--mem-limit", type=float, default=3.0,
                   help="GiB one process of a participant may allocate (default 3)")
    p.add_argument("--idle-timeout", type=float, default=60,
                   help="minutes before an unused server is stopped (default 60)")
    p.add_argument("--automation", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--lab-arg", action="append", default=[], help=argparse.SUPPRESS)
    p.set_defaults(handler=_up)

    p = commands.add_parser("status", help="who is in, whose server runs")
    p.add_argument("--workdir", default=workdir)
    p.set_defaults(handler=_status)

    p = commands.add_parser("down", help="stop the room server and everything it started")
    p.add_argument("--workdir", default=workdir)
    p.add_argument("--remove-users", action="store_true",
                   help="also delete the participants' accounts and homes (their answers)")
    p.set_defaults(handler=_down)

    p = commands.add_parser("share-key", help="lesson 07, participant: hand your site-K.pub "
                                              "to the facilitator through the room")
    p.add_argument("--site", type=int, required=True, help="your site number K (from 0)")
    p.add_argument("--keys", default=None, help="the folder `deploy keygen` wrote "
                                                "(default work/room/node-K/keys)")
    p.set_defaults(handler=_share_key)

    p = commands.add_parser("share-ca", help="lesson 07, facilitator: publish the SuperLink's "
                                             "ca.crt for every participant")
    p.add_argument("--credentials", default=None,
                   help="the SuperLink's credentials folder (default work/room/credentials)")
    p.set_defaults(handler=_share_ca)
