"""Feedback for the exercises of lesson 07 (real deployment)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography import x509

from fedlearn_kit.checks import Verdict, failed, passed
from fedlearn_kit.federation.deployment import certs


def certificate_hosts(folder: str | Path, host: str) -> Verdict:
    """Exercise 7.1: a SuperLink certificate in ``folder``, signed by its CA, valid for ``host``."""
    folder = Path(folder)
    missing = [n for n in (certs.CA_CERT, certs.SERVER_CERT) if not (folder / n).exists()]
    if missing:
        return failed(f"{', '.join(missing)} not found in {folder}.",
                      "make the CA with certs.make_ca(folder), then the SuperLink's "
                      "certificate with certs.make_server_cert(folder, hosts).")
    ca = x509.load_pem_x509_certificate((folder / certs.CA_CERT).read_bytes())
    cert = x509.load_pem_x509_certificate((folder / certs.SERVER_CERT).read_bytes())
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # noqa: BLE001 - any failure means: not signed by this CA
        return failed("the SuperLink's certificate is not signed by the CA in the folder.",
                      "make the CA first, then the server certificate in the same folder.")
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    names |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    try:
        wanted = str(ipaddress.ip_address(host))
    except ValueError:
        wanted = host
    if wanted not in names:
        return failed(f"the certificate is valid for {sorted(names)}, not for {host}.",
                      f"pass hosts=(..., {host!r}) to certs.make_server_cert.")
    if "127.0.0.1" not in names:
        return failed("the certificate no longer covers 127.0.0.1, which the SuperLink's own "
                      "ServerApp executor uses.", "keep '127.0.0.1' among the hosts.")
    return passed(f"SuperNodes that reach the SuperLink as {host} will accept its certificate, "
                  "because it lists that address and your CA signed it.")


def missed_rounds(answer: Mapping[str, Iterable[int]], result: object) -> Verdict:
    """Exercise 7.2: for each site, the rounds whose aggregate it did not take part in."""
    sites = list(getattr(result, "sites", []))
    took_part: Mapping[int, Iterable[str]] = getattr(result, "took_part", {})
    rounds = range(1, result.experiment.num_rounds + 1)  # type: ignore[attr-defined]
    expected = {s: [r for r in rounds if s not in took_part.get(r, ())] for s in sites}
    if not isinstance(answer, Mapping):
        return failed(f"expected a dict {{site: [rounds]}}, got {type(answer).__name__}.")
    if sorted(answer) != sorted(sites):
        return failed(f"the sites are {sorted(answer)}, expected {sites}.",
                      "one entry per site, also for sites that missed nothing.")
    given = {s: sorted(int(r) for r in answer[s]) for s in sites}
    if given == expected:
        gone = ", ".join(f"{s}: {r}" for s, r in expected.items() if r) or "none"
        return passed(f"Missed rounds: {gone}. The model of those rounds was trained "
                      "without that site's patients.")
    return failed(f"got {given}.", "use result.took_part: a site missed round r when it is "
                  "not in result.took_part[r].")


def secret_files(answer: Iterable[str], folder: str | Path) -> Verdict:
    """Exercise 7.3: the credential files that must never leave their owner."""
    folder = Path(folder)
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    expected = sorted(n for n in files if certs.file_mode(folder / n) == "0o600")
    given = sorted(set(answer))
    if given == expected:
        return passed("Private keys stay with their owner: the CA key and the SuperLink key "
                      "with the coordinator, each site-K with site K. Certificates and "
                      ".pub files are public by design.")
    extra = sorted(set(given) - set(expected))
    lacking = sorted(set(expected) - set(given))
    hint = "look at who needs each file: a .crt or .pub file is meant to be handed out."
    if extra:
        return failed(f"{extra} can be shared: they hold public information.", hint)
    return failed(f"you left out {lacking}.", "every private key is secret, also the sites'.")
