"""The doctor's lines that depend on how the laptop was installed and what it runs."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from fedlearn_kit import doctor


def test_the_fix_for_a_wrong_package_is_offline_on_a_bundle_install(tmp_path: Path) -> None:
    (tmp_path / doctor.STAMP_NAME).write_text(json.dumps(
        {"from": "bundle", "bundle": "fedlearn-bundle", "sets": ["course"]}))
    assert doctor.install_fix(tmp_path) == (
        "reinstall the locked set from the bundle, offline: `python course.py install "
        "--from-bundle fedlearn-bundle --force`")
    (tmp_path / doctor.STAMP_NAME).write_text(json.dumps({"from": "index"}))
    assert doctor.install_fix(tmp_path) == doctor.INSTALL_FIX
    course = tmp_path / "course"
    (course / "fedlearn-bundle" / "wheels").mkdir(parents=True)  # a bundle beside the course
    assert "--from-bundle fedlearn-bundle" in doctor.install_fix(tmp_path, course)


def test_a_proxy_is_a_warning_that_names_what_the_kit_does() -> None:
    assert doctor.check_proxy({}).ok
    check = doctor.check_proxy({"HTTPS_PROXY": "http://proxy.region.se:8080"})
    assert not check.ok and check.warning
    assert "HTTPS_PROXY" in check.detail and "NO_PROXY=127.0.0.1,localhost,::1" in check.detail
    lines: list[str] = []
    assert doctor.report([check], lines.append)  # a warning does not fail the checklist
    assert lines[0].lstrip().startswith("WARN") and lines[-1] == "Ready for the course."


def test_a_taken_superlink_port_warns_only_for_a_participant() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        check = doctor.check_port("SuperLink", port)
        assert not check.ok and check.warning and "facilitator's laptop" in check.fix
        lab = doctor.check_port("JupyterLab", port)
        assert not lab.ok and not lab.warning  # not JupyterLab holding it: a failure


def test_a_blocked_connection_is_explained_in_a_swedish_session(swedish: Path) -> None:
    watch = doctor.OutboundWatch()
    watch.active = True
    try:
        # The audit hook's own call, as socket.connect makes it (no packet is sent).
        watch._hook("socket.connect", (None, ("192.0.2.1", 9092)))
    except PermissionError as err:
        assert str(err) == "fedlearn-kit doctor stoppade en anslutning till 192.0.2.1."
    else:
        raise AssertionError("the connection was not blocked")
    finally:
        watch.active = False
    assert watch.attempts == ["192.0.2.1:9092"]
