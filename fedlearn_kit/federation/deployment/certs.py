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

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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
        raise TypeError(f"hosts must be a tuple of names and addresses, e.g. ({hosts!r},), "
                        f"not the text {hosts!r}.")
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


def make_node_keys(folder: str | Path, site: int) -> NodeKeys:
    """Create site ``site``'s key pair: ``site-K`` (private, OpenSSH) and ``site-K.pub``."""
    folder = Path(folder)
    key = ec.generate_private_key(ec.SECP384R1())
    private = _write(folder / f"site-{site}", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()), private=True)
    public = _write(folder / f"site-{site}.pub", key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH))
    return NodeKeys(site, private, public)


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


def describe_public_key(path: str | Path) -> dict[str, str]:
    """What a site's public key is: its type, curve and a short fingerprint."""
    data = Path(path).read_bytes()
    key = serialization.load_ssh_public_key(data)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data.split()[1])
    curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else "-"
    return {"type": data.split()[0].decode(), "curve": curve,
            "SHA-256 fingerprint": digest.finalize().hex(":")[:23] + "..."}

