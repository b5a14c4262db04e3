"""Flower's deployment engine with real processes on loopback, TLS and node auth on.

One deployment serves this module's tests (starting one costs seconds), but no test depends
on another or on their order: each asks for the state it needs (``dep``: both SuperNodes
running, restarting any a previous test stopped; ``site_1_down``: site 1 stopped), ``down``
is tested on a deployment of its own, and the module's deployment is checked the same way
when it goes down at the end.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import psutil
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation import run
from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.federation.deployment.process_control import (
    DeploymentError,
    PortInUseError,
    marked,
)

EXP = kit.Experiment(num_rounds=2, seed=5)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    running = deploy.up(2, tmp_path_factory.mktemp("deployment"))
    yield running
    # After every test's runs and faults, down still leaves nothing behind (the same
    # checks as test_down_leaves_no_process_and_no_port, on a deployment that has worked).
    report = running.down()
    assert report["ports_still_open"] == [] and not marked(running.marker)


def _running(dep: deploy.Deployment, site: int) -> None:
    """Start ``site``'s SuperNode again if a previous test stopped it or it failed."""
    supernode = dep.process(f"supernode site {site}")
    if supernode is None or not supernode.alive():
        dep.stop_site(site)  # its executor, if it outlived the SuperNode
        dep.start_supernode(site)


@pytest.fixture
def dep(shared: deploy.Deployment) -> deploy.Deployment:
    """The module's deployment with both SuperNodes running, whatever ran before."""
    for site in range(shared.num_sites):
        _running(shared, site)
    shared.check_sites()
    return shared


@pytest.fixture
def site_1_down(shared: deploy.Deployment) -> deploy.Deployment:
    """The module's deployment with site 0's SuperNode running and site 1's stopped."""
    _running(shared, 0)
    shared.stop_site(1)
    return shared


def test_the_superlink_speaks_tls_with_the_deployments_certificate(
        dep: deploy.Deployment) -> None:
    # Behaviour, not flags: a TLS client that trusts only this deployment's CA completes a
    # handshake with the SuperLink (and node authentication refuses a key it does not know:
    # test_unregistered_node_key).
    host, port = dep.superlink.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(dep.credentials / certs.CA_CERT))
    context.set_alpn_protocols(["h2"])
    with socket.create_connection((host, int(port)), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    other = ssl.create_default_context()  # the system's CAs do not know the course's CA
    with socket.create_connection((host, int(port)), timeout=10) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        other.wrap_socket(raw, server_hostname=host)


def test_every_process_keeps_flowers_state_in_the_work_folder(dep: deploy.Deployment) -> None:
    assert str(dep.flwr_home).startswith(str(dep.workdir))
    assert (dep.flwr_home / "config.toml").read_text().count("root-certificates") == 1
    assert all(psutil.Process(p.pid).environ()["FLWR_HOME"].startswith(str(dep.workdir))
               for p in dep.processes if p.alive())


def test_same_final_weights_as_the_local_engine(dep: deploy.Deployment, capsys) -> None:
    deployed = run(EXP, engine="deployment", deployment=dep, progress=True)
    bar = capsys.readouterr().err
    assert "rounds (deployment)" in bar and "2/2" in bar  # run() passes progress on
    local = run(EXP, engine="local", progress=False)
    assert deployed.engine == "deployment"
    for key, value in local.state_dict.items():
        torch.testing.assert_close(deployed.state_dict[key], value, rtol=0, atol=1e-6)
    assert deployed.took_part == local.took_part
    assert not deployed.missing


def test_a_site_stopped_mid_run_is_reported_and_training_goes_on(dep: deploy.Deployment
                                                                  ) -> None:
    result = dep.run(EXP, drop_site=1, drop_after_round=1, progress=False)
    site_b = result.sites[1]
    assert site_b in result.took_part[1]
    assert 1 not in result.missing  # its replies of round 1 all counted
    assert result.missing[2] == (site_b,)
    assert result.took_part[2] == (result.sites[0],)
    assert not result.participation()[site_b].iloc[-1]


def test_a_supernode_that_is_not_up_is_named_when_min_sites_needs_it(
        site_1_down: deploy.Deployment) -> None:
    """A dead recorded SuperNode stops a run only if min_sites cannot be met."""
    with pytest.raises(DeploymentError, match=r"Site 1's SuperNode .* is not running"):
        site_1_down.run(EXP, progress=False, min_sites=2)
    site_1_down.check_sites(min_sites=1)  # one running SuperNode is enough for min_sites=1


def test_wrong_certificate(site_1_down: deploy.Deployment, tmp_path: Path) -> None:
    certs.make_ca(tmp_path)
    with pytest.raises(DeploymentError, match="does not trust the SuperLink's TLS"):
        site_1_down.start_supernode(1, ca=tmp_path / certs.CA_CERT, timeout=30)


def test_unregistered_node_key(site_1_down: deploy.Deployment, tmp_path: Path) -> None:
    stranger = certs.make_node_keys(tmp_path, 1)
    # Refused, retried (as after a crash), then named: the SuperLink's log tells the cause.
    with pytest.raises(DeploymentError, match="refused by the SuperLink(.|\n)*SuperLink's log "
                                              "says: a key that is not registered"):
        site_1_down.start_supernode(1, key=stranger.private_key, timeout=30)


def test_port_already_in_use(shared: deploy.Deployment, tmp_path: Path) -> None:
    port = int(shared.superlink.rsplit(":", 1)[1])
    with pytest.raises(PortInUseError, match=f"Port {port} .* already in use"):
        deploy.up(1, tmp_path, port=port)


def test_run_passes_its_timeout_to_the_deployment(shared: deploy.Deployment) -> None:
    with pytest.raises(TimeoutError, match="did not finish within 1 s"):
        run(EXP, engine="deployment", deployment=shared, progress=False, timeout=1)


def test_down_leaves_no_process_and_no_port(tmp_path: Path) -> None:
    dep = deploy.up(1, tmp_path)  # its own: the module's deployment is downed at its end
    pids = [p.pid for p in dep.processes]
    ports = [p.port for p in dep.processes if p.port]
    report = dep.down()
    assert report["ports_still_open"] == []
    assert not marked(dep.marker)
    assert not [pid for pid in pids if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert all(deploy.port_free("127.0.0.1", port) for port in ports)
