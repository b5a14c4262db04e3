"""The deployment's credentials: a local CA, the SuperLink's TLS certificate, node keys (lesson 07).

A real federation needs two kinds of trust, and Flower uses a different tool for each:

- **TLS** proves to every SuperNode that it talks to the real SuperLink and encrypts the
  traffic. The kit makes a small certificate authority (CA) of its own, signs the
  SuperLink's certificate with it, and hands the CA certificate (public) to the sites.
- **SuperNode authentication** proves to the SuperLink which site is knocking: each site
  has its own elliptic-curve key pair; the coordinator registers the public key with the
  SuperLink (``flwr supernode register``) and the site keeps the private key.

Everything is made with ``cryptography``, offline, into one folder. The private keys are
written readable by their owner only.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fedlearn_kit.i18n import _

CA_CERT = "ca.crt"
CA_KEY = "ca.key"
SERVER_CERT = "superlink.crt"
SERVER_KEY = "superlink.key"
#: Validity of what the kit generates: long enough for a course day, short enough to expire.
VALID_DAYS = 30


@dataclass(frozen=True)
class NodeKeys:
    """One site's key pair for SuperNode authentication (OpenSSH formats, as Flower wants)."""

    site: int
    private_key: Path
    public_key: Path


def _write(path: Path, data: bytes, private: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)
    return path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fedlearn-kit course"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return builder.not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(
        now + dt.timedelta(days=VALID_DAYS))


def make_ca(folder: str | Path, name: str = "fedlearn-kit course CA") -> Path:
    """Create a certificate authority in ``folder`` (``ca.crt`` public, ``ca.key`` secret)."""
    folder = Path(folder)
    key = ec.generate_private_key(ec.SECP256R1())
    usage = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False)
    cert = (_validity(x509.CertificateBuilder()).subject_name(_name(name))
            .issuer_name(_name(name)).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage, critical=True)
            .sign(key, hashes.SHA256()))
    _write(folder / CA_KEY, key.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()), private=True)
    return _write(folder / CA_CERT, cert.public_bytes(serialization.Encoding.PEM))


def make_server_cert(folder: str | Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
                     ) -> tuple[Path, Path]:
    """Sign a TLS certificate for the SuperLink with the CA in ``folder``.

    ``hosts`` are the names and IP addresses SuperNodes will use to reach the SuperLink; a
    SuperNode refuses the connection when its address is not among them.
    """
    if isinstance(hosts, str):  # one text would become one name per character
        raise TypeError(_("hosts must be a tuple of names and addresses, e.g. ({hosts},), not "
                          "the text {hosts}.").format(hosts=repr(hosts)))
    folder = Path(folder)
    ca_key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (_validity(x509.CertificateBuilder()).subject_name(_name("Flower SuperLink"))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
    key_path = _write(folder / SERVER_KEY, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()), private=True)
    return _write(folder / SERVER_CERT, cert.public_bytes(serialization.Encoding.PEM)), key_path


def site_comment(site: int) -> str:
    """The comment ``make_node_keys`` writes into both halves of site ``site``'s key: the
    site it was made for, so a key used for another site is noticed (:func:`key_site`)."""
    return f"fedlearn-kit site-{site}"


_SITE_COMMENT = re.compile(r"fedlearn-kit site-(\d+)$")


def make_node_keys(folder: str | Path, site: int) -> NodeKeys:
    """Create site ``site``'s key pair: ``site-K`` (private, OpenSSH) and ``site-K.pub``.

    Both carry the comment :func:`site_comment`, the site the pair was made for.
    """
    folder = Path(folder)
    key = ec.generate_private_key(ec.SECP384R1())
    comment = site_comment(site)
    private = _write(folder / f"site-{site}", with_comment(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()), comment), private=True)
    public = _write(folder / f"site-{site}.pub", key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        + b" " + comment.encode() + b"\n")
    return NodeKeys(site, private, public)


_OPENSSH_MAGIC = b"openssh-key-v1\0"
_OPENSSH_ARMOR = (b"-----BEGIN OPENSSH PRIVATE KEY-----", b"-----END OPENSSH PRIVATE KEY-----")


def _ssh_strings(data: bytes, offset: int, count: int) -> tuple[list[bytes], int]:
    """``count`` SSH wire-format strings (uint32 length + bytes) from ``offset``."""
    out = []
    for _index in range(count):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        out.append(data[offset + 4:offset + 4 + length])
        offset += 4 + length
    return out, offset


def _ssh_string(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def _openssh_sections(pem: bytes) -> tuple[bytes, bytes]:
    """An unencrypted OpenSSH private key's header (up to its private section) and the
    private section itself; ValueError for anything else."""
    body = pem.strip()
    if not (body.startswith(_OPENSSH_ARMOR[0]) and body.endswith(_OPENSSH_ARMOR[1])):
        raise ValueError("not an OpenSSH private key")
    blob = base64.b64decode(b"".join(body[len(_OPENSSH_ARMOR[0]):-len(_OPENSSH_ARMOR[1])]
                                     .split()))
    if not blob.startswith(_OPENSSH_MAGIC):
        raise ValueError("not an OpenSSH private key")
    offset = len(_OPENSSH_MAGIC)
    (cipher, kdf, _kdf_options), offset = _ssh_strings(blob, offset, 3)
    (count,) = struct.unpack(">I", blob[offset:offset + 4])
    if cipher != b"none" or kdf != b"none" or count != 1:
        raise ValueError("an encrypted key or several keys in one file")
    _public_keys, end = _ssh_strings(blob, offset + 4, 1)
    (private,), _end = _ssh_strings(blob, end, 1)
    return blob[:end], private


def _ecdsa_fields_end(private: bytes) -> int:
    """Where an ECDSA private section's comment starts (after checkints, type, curve,
    public point and private scalar)."""
    (kind,), offset = _ssh_strings(private, 8, 1)
    if not kind.startswith(b"ecdsa-sha2-"):
        raise ValueError("not an ECDSA key")
    _skipped, offset = _ssh_strings(private, offset, 3)
    return offset


def with_comment(pem: bytes, comment: str) -> bytes:
    """An unencrypted OpenSSH ECDSA private key (PEM) with ``comment`` as its comment."""
    head, private = _openssh_sections(pem)
    section = private[:_ecdsa_fields_end(private)] + _ssh_string(comment.encode())
    section += bytes(range(1, 1 + (-len(section) % 8)))  # OpenSSH's padding: 1, 2, 3, ...
    text = base64.b64encode(head + _ssh_string(section))
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return b"\n".join([_OPENSSH_ARMOR[0], *lines, _OPENSSH_ARMOR[1]]) + b"\n"


def key_comment(data: bytes) -> str:
    """The comment of an OpenSSH key: a private key (PEM) or a ``.pub`` line ('' if none)."""
    if data.lstrip().startswith(b"-----"):
        try:
            _public, private = _openssh_sections(data)
            (comment,), _end = _ssh_strings(private, _ecdsa_fields_end(private), 1)
        except (ValueError, struct.error):
            return ""
        return comment.decode(errors="replace")
    parts = data.strip().split(maxsplit=2)
    return parts[2].decode(errors="replace") if len(parts) == 3 else ""


def key_site(path: str | Path) -> int | None:
    """The site a key (either half) was made for by :func:`make_node_keys`, if it says."""
    match = _SITE_COMMENT.search(key_comment(Path(path).read_bytes()).strip())
    return int(match.group(1)) if match else None


def describe_certificate(path: str | Path) -> dict[str, str]:
    """What a certificate says: subject, issuer, names it is valid for, dates, fingerprint."""
    cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = ", ".join(str(n.value) for n in san)
    except x509.ExtensionNotFound:
        names = "-"
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "valid for": names,
        "not before": cert.not_valid_before_utc.strftime("%Y-%m-%d %H:%M UTC"),
        "not after": cert.not_valid_after_utc.strftime("%Y-%m-%d %H:%M UTC"),
        "is a CA": str(cert.extensions.get_extension_for_class(x509.BasicConstraints)
                       .value.ca),
        "SHA-256 fingerprint": cert.fingerprint(hashes.SHA256()).hex(":")[:23] + "...",
    }


def certificate_summary(path: str | Path) -> str:
    """What a reader checks in a certificate, in the learner's language: who it names
    (subject), who signed it (issuer), the names and addresses it is valid for, and
    whether it is a CA's (:func:`describe_certificate` has every field)."""
    info = describe_certificate(path)
    text = (_("{name}: subject {subject}\n  issuer {issuer}\n  valid for {hosts}; is a CA: yes")
            if info["is a CA"] == "True" else
            _("{name}: subject {subject}\n  issuer {issuer}\n  valid for {hosts}; is a CA: no"))
    return text.format(name=Path(path).name, subject=info["subject"], issuer=info["issuer"],
                       hosts=info["valid for"])


def describe_public_key(path: str | Path) -> dict[str, str]:
    """What a site's public key is: its type, curve and a short fingerprint."""
    data = Path(path).read_bytes()
    key = serialization.load_ssh_public_key(data)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data.split()[1])
    curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else "-"
    return {"type": data.split()[0].decode(), "curve": curve,
            "SHA-256 fingerprint": digest.finalize().hex(":")[:23] + "..."}

