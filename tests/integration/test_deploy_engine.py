"""Flower's deployment engine with real processes on loopback, TLS and node auth on.

One deployment serves the tests of this module, in order: the same weights as the local
engine, a site dropping out mid-run, then each fault, then ``down``.
"""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation import run
from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.federation.deployment.processes import (
    MARKER,
    DeploymentError,
    PortInUseError,
    marked,
)

EXP = kit.Experiment(num_rounds=2, seed=5)


@pytest.fixture(scope="module")
def dep(tmp_path_factory: pytest.TempPathFactory):
    with deploy.up(2, tmp_path_factory.mktemp("deployment")) as running:
        yield running


def test_tls_and_node_authentication_are_on(dep: deploy.Deployment) -> None:
    commands = {p.name: " ".join(p.command) for p in dep.processes}
    assert "--ssl-certfile" in commands["superlink"]
    assert "--enable-supernode-auth" in commands["superlink"]
    assert "--insecure" not in commands["superlink"]
    for site in range(2):
        assert "--auth-supernode-private-key" in commands[f"supernode site {site}"]
        assert "--root-certificates" in commands[f"supernode site {site}"]
    assert str(dep.flwr_home).startswith(str(dep.workdir))
    assert (dep.flwr_home / "config.toml").read_text().count("root-certificates") == 1
    assert all(psutil.Process(p.pid).environ()["FLWR_HOME"].startswith(str(dep.workdir))
               for p in dep.processes)


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
        dep: deploy.Deployment) -> None:
    """D4: a dead recorded SuperNode stops a run only if min_sites cannot be met."""
    with pytest.raises(DeploymentError, match=r"Site 1's SuperNode .* is not running"):
        dep.run(EXP, progress=False, min_sites=2)
    dep.check_sites(min_sites=1)  # one running SuperNode is enough for min_sites=1


def test_wrong_certificate(dep: deploy.Deployment, tmp_path: Path) -> None:
    certs.make_ca(tmp_path)
    with pytest.raises(DeploymentError, match="does not trust the SuperLink's TLS"):
        dep.start_supernode(1, ca=tmp_path / certs.CA_CERT, timeout=30)


def test_unregistered_node_key(dep: deploy.Deployment, tmp_path: Path) -> None:
    stranger = certs.make_node_keys(tmp_path, 1)
    # Refused, retried (as after a crash), then named: the SuperLink's log tells the cause.
    with pytest.raises(DeploymentError, match="refused by the SuperLink(.|\n)*SuperLink's log "
                                              "says: a key that is not registered"):
        dep.start_supernode(1, key=stranger.private_key, timeout=30)


def test_port_already_in_use(dep: deploy.Deployment, tmp_path: Path) -> None:
    port = int(dep.superlink.rsplit(":", 1)[1])
    with pytest.raises(PortInUseError, match=f"Port {port} .* already in use"):
        deploy.up(1, tmp_path, port=port)


def test_run_passes_its_timeout_to_the_deployment(dep: deploy.Deployment) -> None:
    dep.start_supernode(1)  # site 1 rejoins after the fault tests above
    with pytest.raises(TimeoutError, match="did not finish within 1 s"):
        run(EXP, engine="deployment", deployment=dep, progress=False, timeout=1)


def test_down_leaves_no_process_and_no_port(dep: deploy.Deployment) -> None:
    pids = [p.pid for p in dep.processes]
    ports = [p.port for p in dep.processes if p.port]
    report = dep.down()
    assert report["ports_still_open"] == []
    assert not marked(dep.marker)
    assert not [pid for pid in pids if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert all(deploy.port_free("127.0.0.1", port) for port in ports)
    assert MARKER
