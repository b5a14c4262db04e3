"""The ``fedlearn-kit`` command line: every subcommand's arguments, in one place.

``data`` and ``validate`` (lesson 01), ``run`` (lesson 04), ``dpia`` (lesson 08) and
``deploy up|link|keygen|register|node|fingerprint|status|down`` (lesson 07). Each handler
imports what it needs when it runs, so ``fedlearn-kit --help`` and ``fedlearn-kit
validate`` start at once: only ``run`` and ``deploy`` load torch and Flower.

Errors a user can fix (a bad value, a missing file, a port in use) end with exit code 2
and one line saying what to do; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import MISSING, fields
from pathlib import Path
from typing import TYPE_CHECKING, get_type_hints

from fedlearn_kit.i18n import N_, _, ngettext, use_answers_file
from fedlearn_kit.sites import MAX_SITES

if TYPE_CHECKING:  # for the type checker only: at run time the handlers import what they use
    from fedlearn_kit.federation.deployment.state import Deployment
    from fedlearn_kit.federation.result import Result

#: The parser each ``_add_*`` function adds its subcommands to.
Subparsers = argparse._SubParsersAction  # noqa: SLF001 - argparse names no public type for it

#: The engines of ``fedlearn-kit run`` (the same tuple as ``federation.engines.ENGINES``;
#: a test keeps them equal without importing Flower here).
ENGINES = ("local", "simulation", "deployment")
LANGUAGES = ("en", "sv")
#: Where ``deploy`` keeps its files unless told (``deployment.folders.default_workdir()``).
DEFAULT_DEPLOY_DIR = N_("./work/deployment in the current folder")
LOOPBACK = "127.0.0.1"


# ------------------------------------------------------------------------- data, validate

def _cmd_data(args: argparse.Namespace) -> int:
    from fedlearn_kit.cohort import generate
    from fedlearn_kit.storage import write_cohort

    cohort = generate(args.sites, seed=args.seed, patients_per_site=args.patients_per_site)
    for path in write_cohort(cohort, args.out):
        print(path)
    sizes = ", ".join(f"{site}: {len(df)}" for site, df in cohort.items())
    print(_("Wrote {n} site(s) ({sizes}) with seed {seed} to {folder}").format(
        n=len(cohort), sizes=sizes, seed=args.seed, folder=args.out))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from fedlearn_kit.validation import CohortError, read_site_csv

    failed = 0
    for path in args.files:
        try:
            df = read_site_csv(path, synthetic_test_data=args.synthetic_test_data)
        except CohortError as err:
            print(_("INVALID {error}").format(error=err), file=sys.stderr)
            failed += 1
        else:
            print(_("OK      {path}: {n} patients, site {site}").format(
                path=path, n=len(df), site=repr(df["site"].iloc[0])))
    return 1 if failed else 0


# ------------------------------------------------------------------------- dpia, answers, doctor
# The handlers live with their logic (gdpr.command, doctor); their arguments are here.

def _cmd_dpia(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr.command import dpia_command

    return dpia_command(args)


def _cmd_takehome(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr.command import takehome_command

    return takehome_command(args)


def _cmd_answers_template(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr.command import answers_template_command

    return answers_template_command(args)


def _cmd_answers_import(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr.command import answers_import_command

    return answers_import_command(args)


def _cmd_materials(args: argparse.Namespace) -> int:
    from fedlearn_kit.materials.command import run

    return run(args)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from fedlearn_kit.doctor import run_from_args

    return run_from_args(args)


# ------------------------------------------------------------------------- run

def _experiment_options(parser: argparse.ArgumentParser) -> None:
    """One ``--kebab-case`` option per Experiment field, typed from its annotation."""
    from fedlearn_kit.experiment import Experiment

    hints = get_type_hints(Experiment)
    for field in fields(Experiment):
        default = field.default if field.default is not MISSING else None
        kind = hints[field.name]
        # `int | None` and the like: the first non-None member gives the type.
        args = [a for a in getattr(kind, "__args__", (kind,)) if a is not type(None)]
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=args[0],
                            default=default, metavar=field.name.upper(),
                            help=_("default {default}").format(default=default))


def _cmd_run(args: argparse.Namespace) -> int:
    import torch

    from fedlearn_kit.experiment import Experiment
    from fedlearn_kit.federation.engines import run

    exp = Experiment(**{f.name: getattr(args, f.name) for f in fields(Experiment)})
    deployment_options = {}
    if args.engine == "deployment":  # D8: the deployment's folder and how long to wait
        deployment_options = {"workdir": args.workdir, "connect_timeout": args.connect_timeout}
    result = run(exp, engine=args.engine, min_sites=args.min_sites, progress=False,
                 timeout=args.timeout, **deployment_options)
    print(result)
    print(_("AUROC of the global model on each site's test patients, per round:"))
    print(result.site_metrics("auroc").round(3).to_string())
    for line in missing_lines(result):
        print(line)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        torch.save(result.state_dict, args.out / "model.pt")
        result.history.to_csv(args.out / "history.csv", index=False)
        print(_("Saved {model} and {history}").format(model=args.out / "model.pt",
                                                      history=args.out / "history.csv"))
    return 0


def missing_lines(result: Result) -> list[str]:
    """One line per round in which a site did not answer: "missing" only for a site that
    neither trained nor evaluated; a site that evaluated (e.g. it rejoined mid-round)
    but whose update did not go into the model is named as such."""
    history = result.history
    lines = []
    for server_round, sites in sorted(result.missing.items()):
        evaluated = set()
        if len(history):
            rows = history[(history["round"] == server_round) & (history["stage"] == "evaluate")]
            evaluated = set(rows["site"])
        absent = [s for s in sites if s not in evaluated]
        eval_only = [s for s in sites if s in evaluated]
        if absent:
            lines.append(_("Round {round}: missing {sites}").format(round=server_round,
                                                                   sites=", ".join(absent)))
        if eval_only:
            lines.append(_("Round {round}: {sites} evaluated the model but did not train in "
                           "this round").format(round=server_round, sites=", ".join(eval_only)))
    return lines


# ------------------------------------------------------------------------- deploy

def _print_deployment(dep: Deployment) -> None:
    print(repr(dep))
    for note in dep.notes:
        print(_("  note: {note}").format(note=note))
    print(_("SuperLink address: {address}   FLWR_HOME: {home}").format(
        address=dep.superlink, home=dep.flwr_home))
    for p in dep.processes:
        port = _(" port {port}").format(port=p.port) if p.port else ""
        print(_("  {name:<28} pid {pid:<7} pgid {pgid:<7}{port:<11} log {log}").format(
            name=p.name, pid=p.pid, pgid=p.pgid, port=port, log=p.log))


def _stop_hint(dep: Deployment) -> None:
    """Every command that starts processes prints the one that stops them, naming the
    folder, so it works from any current folder."""
    workdir = str(dep.workdir)
    if any(c.isspace() for c in workdir):  # double quotes: POSIX shells, cmd and PowerShell
        workdir = f'"{workdir}"'
    print(_("Stop it with: fedlearn-kit deploy down --workdir {workdir}").format(
        workdir=workdir))


def _cmd_deploy_up(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import up

    dep = up(args.sites, args.workdir, insecure=args.insecure, port=args.port,
             timeout=args.timeout)
    _print_deployment(dep)
    _stop_hint(dep)
    return 0


def _cmd_deploy_link(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import certs, link
    from fedlearn_kit.federation.deployment.credentials import fingerprint

    dep = link(args.sites, args.workdir, host=args.host, port=args.port,
               advertise=args.advertise, insecure=args.insecure, keys=args.keys,
               renew=args.renew, allow_network=args.host != LOOPBACK or bool(args.advertise))
    _print_deployment(dep)
    if not dep.insecure:
        ca = dep.credentials / certs.CA_CERT
        print("\n" + _("Hand out {ca} (public; fingerprint {fingerprint}).").format(
            ca=ca, fingerprint=fingerprint(ca)))
        for site in range(dep.num_sites):
            pub = dep.public_keys / f"site-{site}.pub"
            print(_("  site {site}: registered, fingerprint {fingerprint}").format(
                site=site, fingerprint=fingerprint(pub)) if site in dep.registered else
                _("  site {site}: no key yet: `fedlearn-kit deploy register site-K.pub`"
                  ).format(site=site))
        print(_("Each participant K runs (sites are numbered from 0):"))
        print(_("  fedlearn-kit deploy keygen --site K      (once; hand over site-K.pub)\n"
                "  fedlearn-kit deploy node --superlink {superlink} --site K --sites {sites} "
                "--ca ca.crt").format(superlink=dep.superlink, sites=dep.num_sites))
    _stop_hint(dep)
    return 0


def _cmd_deploy_keygen(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import keygen
    from fedlearn_kit.federation.deployment.credentials import fingerprint

    keys = keygen(args.site, args.workdir, renew=args.renew)
    print(_("Site {site}'s key pair, made on this laptop:\n"
            "  private: {private}  (never leaves this laptop)\n"
            "  public:  {public}  (hand this file to the facilitator)\n"
            "  fingerprint of the public key: {fingerprint}\n"
            "Both files say they belong to site {site}: `deploy node --site {site}` uses them, "
            "and no other site can.").format(site=args.site, private=keys.private_key,
                                             public=keys.public_key,
                                             fingerprint=fingerprint(keys.public_key)))
    return 0


def _cmd_deploy_register(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import register
    from fedlearn_kit.federation.deployment.credentials import fingerprint

    for site, node_id in register(args.public_keys, args.workdir).items():
        print(_("site {site}: registered as node {node}").format(site=site, node=node_id))
    for path in args.public_keys:
        print(_("  {path}: fingerprint {fingerprint}").format(path=path,
                                                            fingerprint=fingerprint(path)))
    return 0


def _cmd_deploy_node(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import node
    from fedlearn_kit.federation.deployment.credentials import fingerprint

    if args.ca and not args.insecure and Path(args.ca).is_file():
        # Printed first, so it can be read aloud even when joining fails.
        print(_("The CA certificate this laptop trusts: {ca}, fingerprint {fingerprint}. It "
                "must equal the one the facilitator's `deploy link` showed.").format(
            ca=args.ca, fingerprint=fingerprint(args.ca)), flush=True)
    dep = node(args.superlink, args.site, args.sites, args.workdir, ca=args.ca, key=args.key,
               insecure=args.insecure, timeout=args.timeout,
               allow_network=args.superlink.rsplit(":", 1)[0] not in (LOOPBACK, "localhost"))
    _print_deployment(dep)
    print(_("Site {site} joined the SuperLink at {superlink}.").format(
        site=args.site, superlink=args.superlink))
    _stop_hint(dep)
    print(_("Rejoin later (after sleep or a crash) with the same `deploy node` command."))
    return 0


def _cmd_deploy_fingerprint(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment.credentials import fingerprint

    for path in args.files:
        print(_("{path}: fingerprint {fingerprint}").format(path=path,
                                                          fingerprint=fingerprint(path)))
    return 0


def _cmd_deploy_status(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import load, work_root, workdirs
    from fedlearn_kit.federation.deployment.room import room_report

    folders = [args.workdir] if args.workdir else workdirs()
    if not folders:
        print(_("No deployment is recorded under {folder}.").format(folder=work_root()))
        return 1
    running = False
    for folder in folders:
        try:
            dep = load(folder)
        except FileNotFoundError as err:
            print(err)
            continue
        _print_deployment(dep)
        alive = [p for p in dep.processes if p.alive()]
        running |= bool(alive)
        if not alive and dep.processes:
            print(_("  Nothing of this deployment runs. Start it again with the command that "
                    "started it (the same options), or clear the folder with `fedlearn-kit "
                    "deploy down --workdir {workdir}`.").format(workdir=dep.workdir))
        for line in room_report(dep):
            print(f"  {line}")
    return 0 if running else 1


def _cmd_deploy_down(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation.deployment import down

    report = down(args.workdir)
    print(ngettext("Stopped {n} process: {processes}", "Stopped {n} processes: {processes}",
                   len(report["stopped"])).format(n=len(report["stopped"]),
                                                  processes=report["stopped"])
          if report["stopped"] else _("Stopped no process."))
    if report.get("already_gone"):
        print(_("Recorded but already ended (not signalled): {processes}").format(
            processes=report["already_gone"]))
    if report.get("ports_held_by_others"):
        print(_("Ports the state file names that another program holds now (not this "
                "deployment's; left alone): {ports}").format(
            ports=report["ports_held_by_others"]))
    if report["ports_still_open"]:
        print(_("Ports of this deployment still open: {ports}").format(
            ports=report["ports_still_open"]), file=sys.stderr)
        return 1
    print(_("No process and no port of the deployment is left."))
    return 0


def _add_deploy(sub: Subparsers[argparse.ArgumentParser]) -> None:
    deploy = sub.add_parser("deploy", help=_("start and stop Flower's SuperLink and SuperNodes"))
    cmds = deploy.add_subparsers(dest="deploy_command", required=True)

    def workdir(p: argparse.ArgumentParser, default: str = DEFAULT_DEPLOY_DIR) -> None:
        p.add_argument("--workdir", default=None,
                       help=_("the deployment's folder (default {default})").format(
                           default=_(default)))

    p = cmds.add_parser("up", help=_("SuperLink + one SuperNode per site on this machine"))
    p.add_argument("--sites", type=int, default=2, help=_("number of sites (default 2)"))
    p.add_argument("--port", type=int, default=None, help=_("SuperLink port (default: free)"))
    p.add_argument("--insecure", action="store_true", help=_("no TLS, no node authentication"))
    p.add_argument("--timeout", type=float, default=60.0,
                   help=_("seconds to wait for the SuperNodes to join (default 60)"))
    workdir(p)
    p.set_defaults(handler=_cmd_deploy_up)

    p = cmds.add_parser("link", help=_("facilitator: the room's SuperLink, CA and registered keys"))
    p.add_argument("--sites", type=int, default=2, help=_("sites in the room, numbered from 0"))
    p.add_argument("--host", default=LOOPBACK,
                   help=_("interface to listen on (0.0.0.0 for the room's network)"))
    p.add_argument("--advertise", default=None,
                   help=_("address or host name participants use (goes into the certificate)"))
    p.add_argument("--port", type=int, default=9092,
                   help=_("the SuperLink's port for the SuperNodes (default 9092)"))
    p.add_argument("--keys", default=None,
                   help=_("folder with the participants' site-K.pub files (public keys only)"))
    p.add_argument("--renew", action="store_true",
                   help=_("make a new CA and certificate (everyone needs the new ca.crt)"))
    p.add_argument("--insecure", action="store_true", help=_("no TLS, no node authentication"))
    workdir(p, "./work/room")
    p.set_defaults(handler=_cmd_deploy_link)

    p = cmds.add_parser("keygen", help=_("participant: make this site's own key pair"))
    p.add_argument("--site", type=int, required=True, help=_("this site's number K (from 0)"))
    p.add_argument("--renew", action="store_true", help=_("replace an existing key pair"))
    workdir(p, "./work/room/node-K")
    p.set_defaults(handler=_cmd_deploy_keygen)

    p = cmds.add_parser("register", help=_("facilitator: register more site-K.pub files"))
    p.add_argument("public_keys", nargs="+", help=_("site-K.pub files"))
    workdir(p, "./work/room")
    p.set_defaults(handler=_cmd_deploy_register)

    p = cmds.add_parser("node", help=_("participant: one SuperNode joining a SuperLink"))
    p.add_argument("--superlink", required=True, help=_("HOST:PORT of the SuperLink"))
    p.add_argument("--site", type=int, required=True, help=_("this site's number K (from 0)"))
    p.add_argument("--sites", type=int, default=2, help=_("number of sites in the federation"))
    p.add_argument("--ca", default=None, help=_("the facilitator's ca.crt"))
    p.add_argument("--key", default=None,
                   help=_("this site's private key (default: the one `deploy keygen` made)"))
    p.add_argument("--timeout", type=float, default=60.0,
                   help=_("seconds to wait for the SuperNode to join (default 60)"))
    p.add_argument("--insecure", action="store_true", help=_("no TLS, no node authentication"))
    workdir(p, "./work/room/node-K")
    p.set_defaults(handler=_cmd_deploy_node)

    p = cmds.add_parser("fingerprint", help=_("the fingerprint of ca.crt or a site-K.pub file, "
                                           "to read aloud and compare"))
    p.add_argument("files", nargs="+", help=_("ca.crt, site-K.pub, ..."))
    p.set_defaults(handler=_cmd_deploy_fingerprint)

    for name, handler, text in (("status", _cmd_deploy_status,
                                 _("processes, ports, logs and connected sites")),
                                ("down", _cmd_deploy_down,
                                 _("stop every process, free every port"))):
        p = cmds.add_parser(name, help=text)
        workdir(p, _("every deployment under ./work of the current folder"))
        p.set_defaults(handler=handler)


GDPR_GUIDE = "docs/dpia.md"
ANSWERS_TEMPLATE = "fedlearn-answers.md"
#: The lessons whose cards the answers template can be limited to (``gdpr.cards.STEPS``;
#: a test keeps them equal without loading the cards here).
CARD_STEPS = ("start_here", "synthetic_patients", "local_models", "centralised", "federated",
              "what_leaks", "privacy_defences", "real_deployment", "dpia_and_next_steps")
LAB_PORT = 8888
SUPERLINK_PORT = 9092


def _add_gdpr(sub: Subparsers[argparse.ArgumentParser]) -> None:
    epilog = _("The guide, with the facts and answers file formats: {guide}").format(
        guide=GDPR_GUIDE)
    answers_help = _("answers file (default: $FEDLEARN_ANSWERS, else ./fedlearn-answers.json)")
    dpia = sub.add_parser(
        "dpia", help=_("write a DPIA draft from your answers to the cards"), epilog=epilog,
        description=_("Write a DPIA draft (GDPR Art. 35(7), WP 248 Annex 2) from your answers "
                      "and the facts of your experiment. Teaching material, not legal advice."))
    dpia.add_argument("--answers", default=None, metavar="FILE", help=answers_help)
    dpia.add_argument("--facts", default=None, metavar="FILE",
                      help=_("facts file (default: ./fedlearn-facts.json written by lessons 05 "
                             "and 06, else the course's default experiment)"))
    dpia.add_argument("--no-flows", dest="flows", action="store_false",
                      help=_("do not run the experiment for one round to list the data flows"))
    dpia.add_argument("--out", required=True,
                      help=_("output file: .docx (Word), .md or .html"))
    dpia.add_argument("--lang", choices=LANGUAGES, default=None,
                      help=_("language of the draft (default: the language of your answers, "
                             "else the course's: docs/translating.md)"))
    dpia.add_argument("--title", default=None, help=_("title of the draft"))
    dpia.set_defaults(handler=_cmd_dpia)

    takehome = sub.add_parser(
        "takehome", help=_("write the take-home drafts (Art. 26, Art. 28, menprövning, ...)"),
        epilog=epilog,
        description=_("Write the take-home pack of lesson 08 from your answers and the facts of "
                    "your experiment: an Art. 26 arrangement, processor clauses for the "
                    "coordinator, a secrecy assessment memo, a decision paper, patient "
                    "information and a contact checklist. Drafts to adapt with your region's "
                    "lawyers; teaching material, not legal advice."))
    takehome.add_argument("--answers", default=None, metavar="FILE",
                          help=_("answers file (default: $FEDLEARN_ANSWERS, else "
                               "./fedlearn-answers.json; a missing file leaves every answer "
                               "to fill in)"))
    takehome.add_argument("--facts", default=None, metavar="FILE",
                          help=_("facts file (default: ./fedlearn-facts.json, else the "
                               "course's default experiment)"))
    takehome.add_argument("--out", default="fedlearn-takehome", metavar="DIR",
                          help=_("folder to write into (default ./fedlearn-takehome; "
                               "`fedlearn-kit materials clean-answers` removes it after a "
                               "workshop)"))
    takehome.add_argument("--lang", choices=LANGUAGES, default="sv",
                          help=_("language (default sv: the documents are for a Swedish region)"))
    takehome.add_argument("--format", action="append", choices=("docx", "md", "html"),
                          dest="formats", metavar="FORMAT",
                          help=_("docx, md or html (repeatable; default all three)"))
    takehome.set_defaults(handler=_cmd_takehome)

    answers = sub.add_parser(
        "answers", help=_("answer the cards in a text file (outside JupyterLab)"),
        epilog=epilog,
        description=_("Answer the GDPR question cards without JupyterLab: write a template, "
                      "fill it in, import it into your answers file."))
    steps = answers.add_subparsers(dest="answers_command", required=True)
    template = steps.add_parser("template", help=_("write a Markdown template to fill in"))
    template.add_argument("--out", default=ANSWERS_TEMPLATE,
                          help=_("template file (default ./{name})").format(
                              name=ANSWERS_TEMPLATE))
    template.add_argument("--step", action="append", choices=CARD_STEPS, metavar="STEP",
                          help=_("only this lesson's cards (repeatable; default all)"))
    template.add_argument("--lang", choices=LANGUAGES, default=None,
                          help=_("language (default: the language of your answers, else the "
                                 "course's)"))
    template.add_argument("--answers", default=None, metavar="FILE",
                          help=_("answers file whose answers fill the template"))
    template.add_argument("--force", action="store_true",
                          help=_("overwrite an existing template"))
    template.set_defaults(handler=_cmd_answers_template)
    read = steps.add_parser("import", help=_("save the answers of a filled-in template"))
    read.add_argument("file", help=_("the filled-in template"))
    read.add_argument("--answers", default=None, metavar="FILE",
                      help=_("answers file to save to (default: $FEDLEARN_ANSWERS, else "
                             "./fedlearn-answers.json)"))
    read.set_defaults(handler=_cmd_answers_import)


def _add_materials(sub: Subparsers[argparse.ArgumentParser]) -> None:
    materials = sub.add_parser(
        "materials", help=_("workshop: export notebooks to offline HTML, clean-answers"),
        description=_("What a facilitator runs on the room's laptops. (The printed materials "
                    "under docs/ are built in a course checkout: python -m tools.materials.)"))
    actions = materials.add_subparsers(dest="action")
    export = actions.add_parser("export", help=_("stored or pre-run notebooks to offline HTML"))
    export.add_argument("notebooks", nargs="+", type=Path, help=_("notebooks or folders"))
    export.add_argument("--out", type=Path, required=True, help=_("folder for the HTML files"))
    clean = actions.add_parser(
        "clean-answers", help=_("list (or delete) answers and facts files on a shared laptop"))
    clean.add_argument("folders", nargs="*", type=Path,
                       help=_("folders to search (default: the course folder, the one with "
                            "course.py, at or above the current folder)"))
    clean.add_argument("--delete", action="store_true", help=_("delete them, not only list them"))
    for moved in ("build", "check"):  # moved to tools/: they fail, naming the new command
        actions.add_parser(moved, help=_("moved: python -m tools.materials in a course checkout"))
    materials.set_defaults(handler=_cmd_materials)


def _add_doctor(sub: Subparsers[argparse.ArgumentParser]) -> None:
    doctor = sub.add_parser(
        "doctor", help=_("is this laptop ready for the course?"),
        description=_("A pass/fail checklist, with the fix for each failure; exit code 0 only "
                      "when the laptop is ready."))
    doctor.add_argument("--lab-port", type=int, default=LAB_PORT,
                        help=_("JupyterLab's port (default {port})").format(port=LAB_PORT))
    doctor.add_argument("--superlink-port", type=int, default=SUPERLINK_PORT,
                        help=_("the room's SuperLink port (default {port})").format(
                            port=SUPERLINK_PORT))
    doctor.add_argument("--facilitator", metavar="HOST:PORT", default=None,
                        help=_("check that the facilitator's SuperLink can be reached"))
    doctor.add_argument("--skip-deployment", action="store_true",
                        help=_("do not start a SuperLink and SuperNode (quicker, less sure)"))
    doctor.set_defaults(handler=_cmd_doctor)


# ------------------------------------------------------------------------- the parser

#: argparse's own sentences that the kit's commands show (the usage line, the headings of
#: ``--help``, the common errors), marked so that the catalogue translates them. argparse
#: formats them with ``%``, so they keep its ``%(name)s`` placeholders.
ARGPARSE_TEXTS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("expected one argument"), N_("expected at least one argument"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"))


@contextmanager
def argparse_in_course_language() -> Iterator[None]:
    """argparse's own sentences (``usage:``, ``options``, its errors) in the course's
    language while the kit's parser is built and reads the command line; argparse as it
    was afterwards (a notebook's kernel may use argparse for something else)."""
    english = argparse._  # type: ignore[attr-defined]
    argparse._ = (lambda text: _(text) if text in ARGPARSE_TEXTS  # type: ignore[attr-defined]
                  else english(text))
    try:
        yield
    finally:
        argparse._ = english  # type: ignore[attr-defined]


def build_parser(run_options: bool = True) -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task.

    ``run_options=False`` leaves out ``run``'s one option per Experiment field, which
    needs the Experiment (numpy, pandas): :func:`main` adds them only for ``run``, so every
    other command and ``--help`` start at once.
    """
    parser = argparse.ArgumentParser(
        prog="fedlearn-kit",
        description=_("Synthetic patients, local, central and federated training, for learning."))
    parser.add_argument("--debug", action="store_true",
                        help=_("show the full traceback of an error"))
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help=_("generate the synthetic cohort: one file per site"))
    data.add_argument("--sites", type=int, default=2, choices=range(1, MAX_SITES + 1),
                      metavar=f"1-{MAX_SITES}", help=_("number of sites (default 2)"))
    data.add_argument("--patients-per-site", type=int, default=None, metavar="M",
                      help=_("patients at every site (default: each site's preset size)"))
    data.add_argument("--seed", type=int, default=42, help=_("random seed (default 42)"))
    data.add_argument("--out", default="data", help=_("output folder (default ./data)"))
    data.set_defaults(handler=_cmd_data)

    validate = sub.add_parser("validate", help=_("check site files; exit 1 if any is invalid"))
    validate.add_argument("files", nargs="+", help=_("site CSV files"))
    validate.add_argument("--synthetic-test-data", action="store_true",
                          help=_("allow made-up numbers shaped like personnummer"))
    validate.set_defaults(handler=_cmd_validate)

    run = sub.add_parser("run", help=_("train an experiment federated with Flower"),
                         description=_("Train the course's model federated with Flower and "
                                     "print each site's metrics per round."))
    run.add_argument("--engine", default="local", choices=ENGINES,
                     help=_("local (in-process, default), simulation (Flower's Ray runtime) or "
                          "deployment (SuperLink and SuperNodes)"))
    if run_options:
        _experiment_options(run)
    run.add_argument("--min-sites", type=int, default=1,
                     help=_("fewest sites that must reply for a round to count (default 1)"))
    run.add_argument("--timeout", type=float, default=600.0,
                     help=_("seconds the run may take on any engine (default 600)"))
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help=_("save model.pt (the global state_dict) and history.csv here"))
    run.add_argument("--workdir", default=None,
                     help=_("deployment engine: the running deployment's folder (default "
                            "{default}; a room: ./work/room)").format(
                         default=_(DEFAULT_DEPLOY_DIR)))
    run.add_argument("--connect-timeout", type=float, default=60.0,
                     help=_("deployment engine: seconds to wait for absent sites (default 60)"))
    run.set_defaults(handler=_cmd_run)

    _add_gdpr(sub)  # fedlearn-kit dpia, fedlearn-kit answers template|import (lesson 08)
    _add_deploy(sub)  # fedlearn-kit deploy up|status|down|link|node (lesson 07)

    _add_materials(sub)  # fedlearn-kit materials export|clean-answers (workshops)
    _add_doctor(sub)  # fedlearn-kit doctor (is this laptop ready?)
    from fedlearn_kit.hub.command import add_parser as add_hub

    add_hub(sub)  # fedlearn-kit hub up|status|down (the room server, docs/room-server.md)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedlearn-kit`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with argparse_in_course_language():
        args = build_parser(run_options="run" in argv).parse_args(argv)
    # A command given the learner's answers file speaks the language of those answers
    # (fedlearn_kit.i18n, rule 4) unless the folder or FEDLEARN_LANG says otherwise.
    use_answers_file(getattr(args, "answers", None))
    try:
        return int(args.handler(args))
    except (ValueError, OSError, RuntimeError) as err:  # RuntimeError: e.g. DeploymentError
        if args.debug:
            raise
        print(_("fedlearn-kit {command}: {error}\n(add --debug before the command to see the "
                "traceback)").format(command=args.command, error=err), file=sys.stderr)
        return 2
    finally:
        use_answers_file(None)  # main() may be called again in one process (tests)


if __name__ == "__main__":
    raise SystemExit(main())
