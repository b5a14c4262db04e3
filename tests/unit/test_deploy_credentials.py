"""Participant-made keys and credential checks that name the wrong file (no processes)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.deployment import certs, credentials


def test_keygen_makes_the_pair_on_the_participants_side_and_keeps_it(tmp_path: Path) -> None:
    keys = deployment.keygen(3, tmp_path / "node-3")
    assert keys.private_key == (tmp_path / "node-3" / "keys" / "site-3").resolve()
    assert credentials.is_private_key(keys.private_key)
    assert not credentials.is_private_key(keys.public_key)
    first = credentials.fingerprint(keys.public_key)
    again = deployment.keygen(3, tmp_path / "node-3")  # running it twice keeps the key
    assert credentials.fingerprint(again.public_key) == first
    renewed = deployment.keygen(3, tmp_path / "node-3", renew=True)
    assert credentials.fingerprint(renewed.public_key) != first


def test_the_coordinator_collects_public_keys_and_refuses_a_private_one(tmp_path: Path
                                                                       ) -> None:
    laptops = [deployment.keygen(k, tmp_path / f"laptop-{k}") for k in range(2)]
    inbox = tmp_path / "pubkeys"
    inbox.mkdir()
    for keys in laptops:
        shutil.copy(keys.public_key, inbox)
    found = credentials.collect_public_keys(inbox, 2)
    assert sorted(found) == [0, 1]
    shutil.copy(laptops[1].private_key, inbox / "site-1")
    with pytest.raises(credentials.CredentialError, match="must never hold a site's private"):
        credentials.collect_public_keys(inbox, 2)
    (inbox / "site-1").unlink()
    with pytest.raises(credentials.CredentialError, match="sites 0 to 0"):
        credentials.collect_public_keys(inbox, 1)


def test_a_broken_ca_file_is_named_with_the_fix_at_once(tmp_path: Path) -> None:
    broken = tmp_path / "ca.crt"
    broken.write_text("this is not a certificate\n")
    start = time.monotonic()
    with pytest.raises(credentials.CredentialError, match=r"ca\.crt is not a certificate"):
        credentials.check_ca_certificate(broken)
    assert time.monotonic() - start < 1
    certs.make_ca(tmp_path / "room")
    certs.make_server_cert(tmp_path / "room")
    with pytest.raises(credentials.CredentialError, match="not a CA's"):
        credentials.check_ca_certificate(tmp_path / "room" / certs.SERVER_CERT)
    with pytest.raises(credentials.CredentialError, match="is a private key"):
        credentials.check_ca_certificate(tmp_path / "room" / certs.CA_KEY)
    with pytest.raises(credentials.CredentialError, match="missing"):
        credentials.check_ca_certificate(tmp_path / "nothing.crt")
    credentials.check_ca_certificate(tmp_path / "room" / certs.CA_CERT)


def test_a_private_key_copied_readable_by_others_is_made_private(tmp_path: Path) -> None:
    keys = deployment.keygen(0, tmp_path)
    keys.private_key.chmod(0o644)  # as from a USB stick
    credentials.check_private_key(keys.private_key, 0)
    assert oct(keys.private_key.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(credentials.CredentialError, match="not an OpenSSH private key"):
        credentials.check_private_key(keys.public_key, 0)
    with pytest.raises(credentials.CredentialError, match="deploy keygen --site 5"):
        credentials.check_private_key(tmp_path / "site-5", 5)


def test_node_refuses_a_site_number_outside_the_room_before_starting_anything(
        tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="numbered from 0"):
        deployment.node("127.0.0.1:1", 3, 3, tmp_path)


def test_link_reuses_the_rooms_certificate_or_says_how_to_renew(tmp_path: Path) -> None:
    from fedlearn_kit.federation.deployment.room import reuse_or_make_certificates

    hosts = ("127.0.0.1", "localhost", "10.0.0.5")
    assert reuse_or_make_certificates(tmp_path, hosts, renew=False) is True
    before = credentials.fingerprint(tmp_path / certs.CA_CERT)
    assert reuse_or_make_certificates(tmp_path, hosts, renew=False) is False
    assert credentials.fingerprint(tmp_path / certs.CA_CERT) == before
    with pytest.raises(deployment.DeploymentError, match="--renew"):
        reuse_or_make_certificates(tmp_path, ("127.0.0.1", "localhost", "10.0.0.9"), False)
    assert reuse_or_make_certificates(tmp_path, hosts, renew=True) is True
    assert credentials.fingerprint(tmp_path / certs.CA_CERT) != before


def test_up_refuses_a_rooms_folder(tmp_path: Path) -> None:
    room = deployment.Deployment(tmp_path, "127.0.0.1:1", 2, role="room")
    room.save()
    with pytest.raises(deployment.DeploymentError, match="workshop room"):
        deployment.up(2, tmp_path, replace=True)


def test_a_key_names_its_site_and_another_sites_key_is_refused(tmp_path: Path) -> None:
    keys = credentials.make_site_keys(tmp_path / "laptop-0", 0)
    assert certs.key_site(keys.private_key) == 0 and certs.key_site(keys.public_key) == 0
    assert credentials.check_private_key(keys.private_key, 0) == keys.private_key
    with pytest.raises(credentials.CredentialError, match="is site 0's key.*keygen --site 2"):
        credentials.check_private_key(keys.private_key, 2)
    # The comment travels with a renamed copy (a neighbour's key taken from a USB stick).
    copied = tmp_path / "neighbour-key"
    shutil.copy(keys.private_key, copied)
    with pytest.raises(credentials.CredentialError, match="is site 0's key"):
        deployment.node("127.0.0.1:1", 2, 3, tmp_path / "p2", key=copied, ca=tmp_path / "x")
    # A .pub handed over under another site's name is refused by the coordinator.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(keys.public_key, inbox / "site-1.pub")
    with pytest.raises(credentials.CredentialError, match="holds site 0's public key"):
        credentials.collect_public_keys(inbox, 3)
    # A key made by another tool names no site: accepted here, checked by the run.
    (tmp_path / "plain").write_bytes(certs.with_comment(keys.private_key.read_bytes(), ""))
    assert certs.key_site(tmp_path / "plain") is None
    credentials.check_private_key(tmp_path / "plain", 2)


def test_the_comment_leaves_the_key_itself_unchanged(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    keys = certs.make_node_keys(tmp_path, 4)
    data = keys.private_key.read_bytes()
    renamed = certs.with_comment(data, "something else")
    assert certs.key_comment(renamed) == "something else"
    one, two = (serialization.load_ssh_private_key(d, None) for d in (data, renamed))
    assert one.private_numbers() == two.private_numbers()  # type: ignore[union-attr]
    public = serialization.load_ssh_public_key(keys.public_key.read_bytes())
    assert public.public_numbers() == one.public_key().public_numbers()  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        certs.with_comment(b"not a key", "x")


def test_the_superlinks_refusals_are_told_apart() -> None:
    from fedlearn_kit.federation.deployment import diagnose

    log = ("\x1b[91mERROR\x1b[0m: ... exception: SuperNode with node ID 42 could not be "
           "activated.\n... SuperNode with node ID 42 could not be activated.\n"
           "ERROR: ... exception: No SuperNode found with the given public key.\n")
    notes = diagnose.refusals(log, {42: 1})
    assert notes[0].startswith("site 1's key was refused 2 time(s) because that node is "
                               "already connected")
    assert notes[1].startswith("a key that is not registered was refused 1 time(s)")
    assert "fedlearn-kit deploy register" in notes[1]
    assert diagnose.refusals("INFO: Activated node_id=42", {42: 1}) == []
    advice = diagnose.explain_node_fault("ERROR ... Failed to activate SuperNode.", True)
    assert advice and "deploy register pubkeys/site-K.pub" in advice
    assert "already connected" in advice and "flwr supernode register" not in advice


def test_link_refuses_to_listen_everywhere_without_the_address_to_certify(tmp_path: Path
                                                                         ) -> None:
    with pytest.raises(ValueError, match="--advertise"):
        deployment.link(2, tmp_path, host="0.0.0.0", allow_network=True)
