"""The sentences lesson 07 shows about a deployment: certificates, key files, the round line
and what ``down`` did, in English and in Swedish."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedlearn_kit.checks import real_deployment as check
from fedlearn_kit.federation.deployment import certs, credentials, lifecycle, runs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work folder laid out as ``deploy.up`` makes it, with one site."""
    root = tmp_path_factory.mktemp("work")
    certs.make_ca(root / "credentials")
    certs.make_server_cert(root / "credentials", ("127.0.0.1", "localhost"))
    keys = credentials.make_site_keys(root / "site-0" / "keys", 0)
    (root / "credentials" / "registered").mkdir()
    (root / "credentials" / "registered" / "site-0.pub").write_bytes(keys.public_key.read_bytes())
    (root / "site-0" / "data").mkdir()
    (root / "site-0" / "data" / "patients.csv").write_text("age\n70\n")
    return root


def test_certificate_summary_says_who_signed_what_for_which_hosts(workdir: Path,
                                                                  english: None) -> None:
    ca = certs.certificate_summary(workdir / "credentials" / "ca.crt")
    server = certs.certificate_summary(workdir / "credentials" / "superlink.crt")
    assert ca.startswith("ca.crt: subject CN=fedlearn-kit course CA")
    assert ca.endswith("is a CA: yes")
    assert "issuer CN=fedlearn-kit course CA" in server
    assert "valid for 127.0.0.1, localhost; is a CA: no" in server


def test_key_file_listing_marks_every_private_key_and_skips_other_files(workdir: Path,
                                                                        english: None) -> None:
    lines = dict(line.split() for line in
                 credentials.key_file_listing(workdir).replace("private key", "private")
                 .splitlines())
    assert lines == {"credentials/ca.crt": "public", "credentials/ca.key": "private",
                     "credentials/registered/site-0.pub": "public",
                     "credentials/superlink.crt": "public",
                     "credentials/superlink.key": "private",
                     "site-0/keys/site-0": "private", "site-0/keys/site-0.pub": "public"}


def test_stop_summary_names_the_recorded_processes_only(english: None) -> None:
    names = {11: "superlink", 12: "supernode site 0", 13: "supernode site 1"}
    report = {"stopped": [12, 11, 99], "already_gone": [13], "ports_still_open": []}
    assert lifecycle.stop_summary(report, names).splitlines() == [
        "stopped: superlink, supernode site 0", "already gone: supernode site 1",
        "ports still open: none"]
    report = {"stopped": [], "already_gone": [], "ports_still_open": [9092, 9093]}
    assert lifecycle.stop_summary(report, names).splitlines() == [
        "stopped: none", "already gone: none", "ports still open: 9092, 9093"]


def test_round_note_reads_the_apps_round_line_and_leaves_others(english: None) -> None:
    line = "round 3 of 3 took 2.8 s; trained: site 0; missing: site 1\n"
    assert runs.round_note(line) == line.strip()
    assert runs.round_note("round 1 of 2 took 0.5 s; trained: site 0, site 1; missing: none") \
        == "round 1 of 2 took 0.5 s; trained: site 0, site 1; missing: none"
    for note in ("round 2 (train): site 1 failed: the node left",
                 "waiting for sites: 1 of 2 connected; starting in 20 s with those present",
                 "1 of 2 sites connected; starting without the others (they are logged as "
                 "missing)", "a line of Flower's own"):
        assert runs.round_note(note + "\n") == note


def test_round_note_translates_each_note_of_the_app(swedish: None) -> None:
    assert runs.round_note("round 2 (train): site 1 failed: the node left") == \
        "runda 2 (train): sjukhus 1 misslyckades: the node left"
    assert runs.round_note("waiting for sites: 1 of 2 connected; starting in 20 s with those "
                           "present").startswith("väntar på sjukhus: 1 av 2 anslutna")
    assert runs.round_note("1 of 2 sites connected; starting without the others (they are "
                           "logged as missing)").startswith("1 av 2 sjukhus anslutna")
    assert runs.round_note("INFO : a line of Flower's own") == "INFO : a line of Flower's own"


def test_the_lesson_07_sentences_come_out_in_swedish(workdir: Path, swedish: None,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    assert runs.round_note("round 3 of 3 took 2.8 s; trained: site 0; missing: site 1") == \
        "runda 3 av 3 tog 2.8 s; tränade: sjukhus 0; saknas: sjukhus 1"
    assert "privat nyckel" in credentials.key_file_listing(workdir)
    assert certs.certificate_summary(workdir / "credentials" / "ca.crt").endswith(
        "är en CA: ja")
    assert lifecycle.stop_summary({"stopped": [], "already_gone": [], "ports_still_open": []},
                                  {}).splitlines()[-1] == "portar som fortfarande är öppna: inga"
    assert not check.certificate_hosts(workdir / "site-0", "10.0.0.5")
    assert "finns inte i" in capsys.readouterr().out
