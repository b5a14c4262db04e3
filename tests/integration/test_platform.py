"""The doctor's full check, with a real SuperLink and SuperNode over TLS."""

from __future__ import annotations

from fedlearn_kit import cli
from fedlearn_kit.federation.deployment.process_control import free_port


def test_doctor_passes_here(capsys):
    # How long it takes is not asserted (a loaded machine is slower): the doctor bounds its
    # deployment check itself, and fails that check if it runs out of time.
    code = cli.main(["doctor", "--lab-port", str(free_port()),
                     "--superlink-port", str(free_port())])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS  SuperLink + SuperNode with TLS" in out
    assert "Ready for the course." in out
