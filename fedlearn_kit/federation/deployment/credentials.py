"""Who makes which key, and checks that name the wrong file before Flower starts (lesson 07).

In a real federation each site makes its own key pair, on its own machine, and hands the
coordinator only the public half; the coordinator registers public keys it is given and
never holds a site's private key (otherwise it could pose as any site, and node
authentication would prove nothing against it). This module is that procedure:

- a participant: :func:`make_site_keys` (``fedlearn-kit deploy keygen --site K``);
- the coordinator: :func:`collect_public_keys` reads a folder of ``site-K.pub`` files and
  refuses a folder that holds a private key;
- both: :func:`check_ca_certificate` and :func:`check_private_key` load a file the way
  Flower will and, if it is wrong, raise an error that names the file and the fix at once
  (Flower itself would log the problem and keep a SuperNode waiting).

Fingerprints (:func:`fingerprint`) let the two people compare a public file that travelled
by USB stick or e-mail: public files need no secrecy, but they must arrive unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.federation.deployment.process_control import DeploymentError
from fedlearn_kit.i18n import _

_PUBLIC_NAME = re.compile(r"^site-(\d+)\.pub$")
_PRIVATE_NAME = re.compile(r"^site-(\d+)$")


class CredentialError(DeploymentError, ValueError):
    """A credential file is missing or is not what it should be; the message says the fix."""


def fingerprint(path: str | Path) -> str:
    """A short SHA-256 fingerprint of a public file, to read aloud and compare."""
    digest = hashlib.sha256(Path(path).read_bytes().strip()).hexdigest()
    return ":".join(digest[i:i + 4] for i in range(0, 24, 4))


def make_site_keys(folder: str | Path, site: int, *, renew: bool = False) -> certs.NodeKeys:
    """Site ``site``'s own key pair in ``folder`` (the participant runs this).

    Keeps an existing pair unless ``renew=True``, so running the command twice does not
    invalidate a key the coordinator already registered.
    """
    if site < 0:
        raise ValueError(_("site={site}: sites are numbered from 0.").format(site=site))
    folder = Path(folder)
    private, public = folder / f"site-{site}", folder / f"site-{site}.pub"
    if private.exists() and public.exists() and not renew:
        check_private_key(private)
        return certs.NodeKeys(site, private, public)
    return certs.make_node_keys(folder, site)


def is_private_key(path: str | Path) -> bool:
    """True if the file holds a private key (of any kind the kit writes)."""
    try:
        head = Path(path).read_bytes()[:80]
    except OSError:
        return False
    return b"PRIVATE KEY" in head


#: The folders of a work folder that hold credentials: the coordinator's, the public keys it
#: registered, and each site's own.
CREDENTIAL_FOLDERS = ("credentials", "registered", "keys")


def key_file_listing(workdir: str | Path) -> str:
    """Every credential file of a deployment's work folder, one line each: its path in the
    folder and whether it is a private key (secret) or public (a certificate or public key).
    """
    workdir = Path(workdir)
    files = sorted(p for p in workdir.rglob("*")
                   if p.is_file() and p.parent.name in CREDENTIAL_FOLDERS)
    private, public = _("private key"), _("public")
    return "\n".join(f"{p.relative_to(workdir).as_posix():<36} "
                     + (private if is_private_key(p) else public) for p in files)


def check_private_key(path: str | Path, site: int | None = None) -> Path:
    """The site's private key file, checked: it exists, is an EC key Flower can read, and
    only its owner can read it (a key copied from a USB stick often is not: fixed here)."""
    path = Path(path)
    if not path.is_file():
        raise CredentialError((_(
            "{path}: site {site}'s private key file is missing. Make the site's key pair on "
            "this laptop with `fedlearn-kit deploy keygen --site {site}` and give the "
            "facilitator only the .pub file.") if site is not None else _(
            "{path}: the private key file is missing. Make the site's key pair on this laptop "
            "with `fedlearn-kit deploy keygen --site K` and give the facilitator only the .pub "
            "file.")).format(path=path, site=site))
    try:
        key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as err:
        raise CredentialError(_(
            "{path} is not an OpenSSH private key ({error}). Give --key the file `deploy "
            "keygen` wrote (site-K, without .pub); a .pub or .crt file will not do.").format(
            path=path, error=err)) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CredentialError(_("{path} is a {type}, but Flower's SuperNode authentication "
                                "needs an elliptic-curve key: make one with `fedlearn-kit "
                                "deploy keygen`.").format(path=path, type=type(key).__name__))
    check_made_for(path, site)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)  # readable by others, e.g. copied from a USB stick
    return path


def check_made_for(path: Path, site: int | None) -> None:
    """Refuse a key that ``deploy keygen`` made for another site than ``site``.

    The SuperLink knows a site only by its key: a participant who joins as site K with
    site J's key trains site K's data under site J's name. Keys made without the kit's
    comment (elsewhere, or by an older kit) cannot be checked here; the coordinator's run
    still compares the site a node announces with the one registered for its key.
    """
    made_for = certs.key_site(path)
    if site is None or made_for is None or made_for == site:
        return
    raise CredentialError(_(
        "{path} is site {made_for}'s key (made with `deploy keygen --site {made_for}`), not "
        "site {site}'s. Each site joins with its own key: on this laptop, make site {site}'s "
        "with `fedlearn-kit deploy keygen --site {site}` and hand its .pub file to the "
        "facilitator; if this laptop is site {made_for}, use --site {made_for}.").format(
        path=path, made_for=made_for, site=site))


def check_ca_certificate(path: str | Path) -> x509.Certificate:
    """The CA certificate a SuperNode will trust, checked before anything starts.

    Flower, given a file that is not a certificate, logs "cadata does not contain a
    certificate" and the SuperNode waits for its timeout; this names the file at once.
    """
    path = Path(path)
    if not path.is_file():
        raise CredentialError(_("{path}: the CA certificate is missing. Copy ca.crt from the "
                                "facilitator (work/room/credentials/ca.crt on their laptop) "
                                "and pass it with --ca.").format(path=path))
    data = path.read_bytes()
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise CredentialError((_(
            "{path} is a private key: a SuperNode needs the facilitator's CA certificate, "
            "ca.crt, a text file that starts with '-----BEGIN CERTIFICATE-----'. Copy it again "
            "from the facilitator.") if b"PRIVATE KEY" in data[:80] else _(
            "{path} is not a certificate: a SuperNode needs the facilitator's CA certificate, "
            "ca.crt, a text file that starts with '-----BEGIN CERTIFICATE-----'. Copy it again "
            "from the facilitator.")).format(path=path)) from None
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise CredentialError(_("{path} is a certificate but not a CA's (it is {subject}); "
                                "pass the facilitator's ca.crt, not superlink.crt.").format(
            path=path, subject=cert.subject.rfc4514_string()))
    if cert.not_valid_after_utc < dt.datetime.now(dt.UTC):
        raise CredentialError(_("{path} expired on {date}. The facilitator makes a new one "
                                "with `fedlearn-kit deploy link --renew` and hands out the new "
                                "ca.crt.").format(path=path,
                                                  date=f"{cert.not_valid_after_utc:%Y-%m-%d}"))
    return cert


def check_public_key(path: str | Path, site: int | None = None) -> Path:
    """A site's public key as the coordinator receives it: an OpenSSH EC public key, made
    for ``site`` if its comment names a site (``deploy keygen`` writes one)."""
    path = Path(path)
    try:
        key = serialization.load_ssh_public_key(path.read_bytes())
    except (ValueError, OSError, TypeError) as err:
        raise CredentialError(_("{path} is not an OpenSSH public key ({error}); ask the "
                                "participant for the site-K.pub file `deploy keygen` printed."
                                ).format(path=path, error=err)) from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise CredentialError(_("{path} is not an elliptic-curve key; Flower's SuperNode "
                                "authentication needs one (`fedlearn-kit deploy keygen`)."
                                ).format(path=path))
    made_for = certs.key_site(path)
    if site is not None and made_for is not None and made_for != site:
        raise CredentialError(_(
            "{path} is named for site {site} but holds site {made_for}'s public key (made with "
            "`deploy keygen --site {made_for}`). Registering it as site {site} would let site "
            "{made_for}'s laptop join as site {site}: ask the participant of site {site} for "
            "their own site-{site}.pub.").format(path=path, site=site, made_for=made_for))
    return path


def collect_public_keys(folder: str | Path, num_sites: int) -> dict[int, Path]:
    """The ``site-K.pub`` files in ``folder`` for sites 0 to ``num_sites - 1``, checked.

    Refuses a folder that holds a site's private key: the coordinator must never have one.
    Sites without a file are simply absent from the answer (they can be registered later).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CredentialError(_("{folder}: no such folder. Put the participants' site-K.pub "
                                "files in one folder and pass it with --keys.").format(
            folder=folder))
    found: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        if _PRIVATE_NAME.match(path.name) or (path.is_file() and is_private_key(path)):
            raise CredentialError(_(
                "{path} is a private key. The coordinator must never hold a site's private "
                "key: delete it here, and have the participant make a new key pair on their "
                "own laptop (`fedlearn-kit deploy keygen --site K`), since this one has been "
                "seen by someone else.").format(path=path))
        match = _PUBLIC_NAME.match(path.name)
        if not match:
            continue
        site = int(match.group(1))
        if site >= num_sites:
            raise CredentialError(_("{path} is for site {site}, but the room has sites 0 to "
                                    "{last}; check --sites or the file's name.").format(
                path=path, site=site, last=num_sites - 1))
        found[site] = check_public_key(path, site)
    return found
