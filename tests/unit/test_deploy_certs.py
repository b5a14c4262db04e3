"""The deployment's credentials: CA, SuperLink certificate, node keys (no processes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fedlearn_kit.federation.deployment import certs


@pytest.fixture()
def creds(tmp_path: Path) -> Path:
    certs.make_ca(tmp_path)
    certs.make_server_cert(tmp_path, ("127.0.0.1", "localhost", "link.example"))
    certs.make_node_keys(tmp_path, 0)
    return tmp_path


def test_server_certificate_is_signed_by_the_ca_and_names_its_hosts(creds: Path) -> None:
    ca = x509.load_pem_x509_certificate((creds / certs.CA_CERT).read_bytes())
    server = x509.load_pem_x509_certificate((creds / certs.SERVER_CERT).read_bytes())
    server.verify_directly_issued_by(ca)
    info = certs.describe_certificate(creds / certs.SERVER_CERT)
    assert "127.0.0.1" in info["valid for"] and "link.example" in info["valid for"]
    assert info["is a CA"] == "False"
    assert certs.describe_certificate(creds / certs.CA_CERT)["is a CA"] == "True"


def test_a_certificate_from_another_ca_does_not_verify(creds: Path, tmp_path_factory
                                                       ) -> None:
    other = tmp_path_factory.mktemp("other")
    certs.make_ca(other)
    server = x509.load_pem_x509_certificate((creds / certs.SERVER_CERT).read_bytes())
    with pytest.raises((ValueError, Exception)):  # noqa: B017 - cryptography's InvalidSignature
        server.verify_directly_issued_by(
            x509.load_pem_x509_certificate((other / certs.CA_CERT).read_bytes()))


def test_node_keys_are_what_flower_reads_and_private_files_are_owner_only(creds: Path
                                                                          ) -> None:
    private_key, public_key = creds / "site-0", creds / "site-0.pub"
    private = serialization.load_ssh_private_key(private_key.read_bytes(), None)
    public = serialization.load_ssh_public_key(public_key.read_bytes())
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert private.public_key().public_numbers() == public.public_numbers()
    for secret in (private_key, creds / certs.SERVER_KEY, creds / certs.CA_KEY):
        assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert certs.describe_public_key(public_key)["curve"] == "secp384r1"


def test_one_host_as_text_is_refused_in_swedish(tmp_path: Path, swedish: Path) -> None:
    with pytest.raises(TypeError, match=r"^hosts måste vara en tupel av namn och adresser, t\.ex\. "
                                        r"\('10\.0\.0\.5',\), inte texten '10\.0\.0\.5'\.$"):
        certs.make_server_cert(tmp_path, "10.0.0.5")  # type: ignore[arg-type]
