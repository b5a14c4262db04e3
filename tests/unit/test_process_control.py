"""Deployment bookkeeping that needs no process: ports, the state file, addresses."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from fedlearn_kit.federation.deployment import Deployment
from fedlearn_kit.federation.deployment import process_control as procs


def test_port_in_use_names_the_owner_and_the_fix() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not procs.port_free("127.0.0.1", port)
        with pytest.raises(procs.PortInUseError, match=rf"Port {port} .* already in use .*deploy"):
            procs.require_free("127.0.0.1", port, "SuperLink")
    assert procs.port_free("127.0.0.1", port)


def test_state_file_round_trip(tmp_path: Path) -> None:
    dep = Deployment(tmp_path, "127.0.0.1:9092", 3, insecure=False)
    dep.processes.append(procs.Proc("superlink", 1, 1, ["x"], "log", 9092))
    dep.save()
    back = __import__("fedlearn_kit.federation.deployment", fromlist=["load"]).load(tmp_path)
    assert (back.superlink, back.num_sites, back.marker) == ("127.0.0.1:9092", 3, dep.marker)
    assert back.processes[0].port == 9092


def test_network_addresses_need_asking_by_name(tmp_path: Path) -> None:
    from fedlearn_kit.federation import deployment as deploy

    with pytest.raises(ValueError, match="loopback"):
        deploy.link(1, tmp_path, host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        deploy.node("10.0.0.5:9092", 0, 2, tmp_path)


def test_a_taken_port_is_explained_in_a_swedish_session(swedish: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(procs.PortInUseError,
                           match=rf"^Port {port} på 127\.0\.0\.1, som behövs för SuperLink, "
                                 r"används redan av .*välj en annan port\.$"):
            procs.require_free("127.0.0.1", port, "SuperLink")


def test_a_deployment_of_no_site_is_refused_in_swedish(swedish: Path) -> None:
    from fedlearn_kit.federation.deployment.state import new_deployment

    with pytest.raises(ValueError, match=r"^num_sites=0: en driftsättning har 1 till \d+ sjukhus"):
        new_deployment(swedish / "work", "127.0.0.1:9092", 0, insecure=True)
