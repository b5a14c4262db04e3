"""Lesson 07 on the room server: public files through the exchange folder, never private ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fedlearn_kit.federation import deployment
from fedlearn_kit.hub import exchange


@pytest.fixture
def room_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "exchange"
    (folder / "pubkeys").mkdir(parents=True)
    (folder / "superlink").mkdir()
    monkeypatch.setenv(exchange.ENV_VAR, str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


def test_share_key_hands_in_the_public_key_readable_and_never_the_private_one(
        room_exchange: Path) -> None:
    old = os.umask(0o077)  # participants' files are private by default
    try:
        keys = deployment.certs.make_node_keys(Path("work/room/node-3/keys"), 3)
        shared = exchange.share_key(3)
    finally:
        os.umask(old)
    assert shared == room_exchange / "pubkeys" / "site-3.pub"
    assert shared.read_bytes() == keys.public_key.read_bytes()
    assert oct(shared.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in (room_exchange / "pubkeys").iterdir()) == ["site-3.pub"]


def test_share_ca_publishes_the_superlinks_ca(room_exchange: Path) -> None:
    deployment.certs.make_ca(Path("work/room/credentials"))
    shared = exchange.share_ca()
    assert shared == room_exchange / "superlink" / "ca.crt"
    assert deployment.certs.describe_certificate(shared)["is a CA"] == "True"


def test_missing_files_and_a_missing_room_are_named(room_exchange: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="site-5.pub does not exist"):
        exchange.share_key(5)
    monkeypatch.delenv(exchange.ENV_VAR)
    with pytest.raises(FileNotFoundError, match="room server's JupyterLab"):
        exchange.share_ca()
