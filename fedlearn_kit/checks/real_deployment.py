"""Feedback for the exercises of lesson 07 (real deployment)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography import x509

from fedlearn_kit.checks import Verdict, failed, passed
from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.i18n import _, ngettext

#: The names the SuperLink's certificate must list besides the room's address: the
#: SuperLink's own ServerApp executor dials 127.0.0.1; a SuperNode on the facilitator's
#: laptop may dial localhost.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def certificate_hosts(folder: str | Path, host: str) -> Verdict:
    """Exercise 7.1: a SuperLink certificate in ``folder``, signed by its CA, valid for ``host``
    and for each of :data:`LOCAL_HOSTS`, as the exercise asks."""
    folder = Path(folder)
    missing = [n for n in (certs.CA_CERT, certs.SERVER_CERT) if not (folder / n).exists()]
    if missing:
        return failed(_("{files} not found in {folder}.").format(
                          files=", ".join(missing), folder=folder),
                      _("make the CA with certs.make_ca(folder), then the SuperLink's "
                        "certificate with certs.make_server_cert(folder, hosts)."))
    ca = x509.load_pem_x509_certificate((folder / certs.CA_CERT).read_bytes())
    cert = x509.load_pem_x509_certificate((folder / certs.SERVER_CERT).read_bytes())
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # noqa: BLE001 - any failure means: not signed by this CA
        return failed(_("the SuperLink's certificate is not signed by the CA in the folder."),
                      _("make the CA first, then the server certificate in the same folder "
                        "(a new CA afterwards replaces the one that signed it)."))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    names |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    try:
        wanted = str(ipaddress.ip_address(host))
    except ValueError:
        wanted = host
    if wanted not in names:
        return failed(_("the certificate is valid for {names}, not for {host}.").format(
                          names=sorted(names), host=host),
                      _("add the room's address to the hosts of the SuperLink's certificate."))
    if "127.0.0.1" not in names:
        return failed(_("the certificate no longer covers 127.0.0.1, which the SuperLink's "
                        "own ServerApp executor uses."), _("keep '127.0.0.1' among the hosts."))
    lacking = [h for h in LOCAL_HOSTS if h not in names]
    if lacking:
        return failed(_("the certificate does not list {hosts}, which the exercise asks "
                        "for.").format(hosts=lacking),
                      _("a SuperNode on the facilitator's own laptop may dial 'localhost': "
                        "list every name and address a SuperNode may use."))
    return passed(_("SuperNodes that reach the SuperLink as {host} will accept its "
                    "certificate, because it lists that address and your CA signed it.").format(
                        host=host))


def missed_rounds(answer: Mapping[str, Iterable[int]], result: object) -> Verdict:
    """Exercise 7.3: for each site, the rounds whose aggregate it did not take part in.

    Names the usual slips: sites by number instead of name, rounds counted from 0, the
    rounds a site *took part in*, text for rounds.
    """
    sites = list(getattr(result, "sites", []))
    took_part: Mapping[int, Iterable[str]] = getattr(result, "took_part", {})
    rounds = range(1, result.experiment.num_rounds + 1)  # type: ignore[attr-defined]
    expected = {s: [r for r in rounds if s not in took_part.get(r, ())] for s in sites}
    if not isinstance(answer, Mapping):
        return failed(_("expected a dict with a list of rounds for each site, got {type}.").format(
            type=type(answer).__name__))
    if sorted(map(str, answer)) != sorted(sites):
        numbers = all(isinstance(k, int) for k in answer)
        return failed(_("the sites are {given}, expected {sites}.").format(
                          given=sorted(answer, key=str), sites=sites),
                      _("use the sites' names (result.sites), not their numbers.") if numbers
                      else _("one entry per site, also for sites that missed nothing."))
    if any(isinstance(r, str | bool) for s in sites for r in answer[s]):
        return failed(_("some rounds are text or True/False, not round numbers."),
                      _("list the round numbers as integers."))
    try:
        given = {s: sorted(int(r) for r in answer[s]) for s in sites}
    except (TypeError, ValueError):
        return failed(_("expected a list of round numbers for each site."))
    if given == expected:
        gone = ", ".join(f"{s}: {r}" for s, r in expected.items() if r)
        if not gone:
            return passed(_("No site missed a round: every round's model was trained on "
                            "every site's patients."))
        return passed(_("Missed rounds: {gone}. The model of those rounds was trained "
                        "without that site's patients.").format(gone=gone))
    if given == {s: [r - 1 for r in missed] for s, missed in expected.items()}:
        return failed(_("got {given}: the rounds are counted from 0.").format(given=given),
                      _("Flower numbers rounds from 1, as result.took_part does."))
    if given == {s: [r for r in rounds if r not in missed] for s, missed in expected.items()}:
        return failed(_("got {given}: those are the rounds each site took part in.").format(
                          given=given),
                      _("a site missed round r when it is *not* in result.took_part[r]."))
    return failed(_("got {given}.").format(given=given),
                  _("use result.took_part: a site missed round r when it is not in "
                    "result.took_part[r]."))


def _is_private(path: Path) -> bool:
    try:
        return b"PRIVATE KEY" in path.read_bytes()[:80]
    except OSError:
        return False


def secret_files(answer: Iterable[str | Path], *folders: str | Path) -> Verdict:
    """Exercise 7.2: the credential files that must never leave the laptop that made them.

    ``answer`` may hold file names or paths. Which files are secret is read from their
    content (a private key), not from their permissions, so the check works on Windows too.
    """
    files = {p.name: p for folder in folders for p in Path(folder).iterdir() if p.is_file()}
    expected = sorted(name for name, path in files.items() if _is_private(path))
    if isinstance(answer, str | Path):
        return failed(_("expected a list of file names, got a single one."),
                      _("make secret a list, e.g. [\"ca.key\", ...]."))
    given = sorted({Path(str(item)).name for item in answer})
    unknown = sorted(set(given) - set(files))
    if unknown:
        return failed(_("{unknown} is not among the files ({files}).").format(
                          unknown=unknown, files=sorted(files)),
                      _("use the names the listing above shows."))
    if given == expected:
        return passed(_("Private keys never leave the laptop that made them: ca.key and "
                        "superlink.key stay with the facilitator, site-K with participant K. "
                        "Only public files travel: ca.crt to the participants, each "
                        "site-K.pub to the facilitator."))
    public_given = sorted(set(given) - set(expected))
    lacking = sorted(set(expected) - set(given))
    if lacking:
        return failed(_("you left out {files}.").format(files=lacking),
                      _("every private key is secret, the sites' ones as well as the "
                        "facilitator's; a private key file starts with '-----BEGIN ... "
                        "PRIVATE KEY-----'."))
    return failed(_("{files} hold only public information (a certificate or a public "
                    "key), so they may travel.").format(files=public_given),
                  _("a .crt or .pub file is made to be handed out; keep only private keys."))


def stoppable(answer: Iterable[int], records: Iterable[object]) -> Verdict:
    """Exercise 7.4: the recorded pids that are still the processes the kit started.

    A pid identifies a process only while it runs: once it exits, the system can give the
    same number to another program. A record is still "ours" only if a process with that
    pid runs and started at the recorded time.
    """
    import psutil

    records = list(records)
    expected = set()
    for rec in records:
        try:
            proc = psutil.Process(rec.pid)  # type: ignore[attr-defined]
            if abs(proc.create_time() - rec.create_time) < 0.01:  # type: ignore[attr-defined]
                expected.add(rec.pid)  # type: ignore[attr-defined]
        except psutil.Error:
            continue
    if isinstance(answer, str | int) or any(isinstance(pid, str | bool) for pid in answer):
        return failed(_("expected a set of pids, as integers (not text)."),
                      _("collect the integer pids of the records that are still ours."))
    try:
        given = {int(pid) for pid in answer}
    except (TypeError, ValueError):
        return failed(_("expected a list or set of pids (integers)."))
    if given == expected:
        if not expected:
            return passed(_("None of the records is still the recorded process: each pid is "
                            "gone or belongs to a program that got the number later. "
                            "`deploy down` makes the same comparison."))
        return passed(ngettext(
            "Only {n} of the {total} records is still the recorded process. The others are "
            "gone or belong to a program that got the number later: signalling them would "
            "stop a stranger's work. `deploy down` makes the same comparison and reports the "
            "rest as 'already gone'.",
            "Only {n} of the {total} records are still the recorded processes. The others are "
            "gone or belong to a program that got the number later: signalling them would "
            "stop a stranger's work. `deploy down` makes the same comparison and reports the "
            "rest as 'already gone'.", len(expected)).format(n=len(expected), total=len(records)))
    strangers = sorted(given - expected)
    if strangers:
        return failed(_("pid {pids} is running, but not the process that was "
                        "recorded.").format(pids=strangers),
                      _("compare psutil.Process(pid).create_time() with the record's "
                        "create_time; a different start time means the pid was reused."))
    return failed(_("you left out pid {pids}.").format(pids=sorted(expected - given)),
                  _("a record whose pid runs with the recorded start time is still ours."))
