"""The doctor's full check, with a real SuperLink and SuperNode over TLS."""

from __future__ import annotations

import time

from fedlearn_kit import cli
from fedlearn_kit.federation.deployment.processes import free_port


def test_doctor_passes_here_in_under_30_seconds(capsys):
    start = time.monotonic()
    code = cli.main(["doctor", "--lab-port", str(free_port()),
                     "--superlink-port", str(free_port())])
    seconds = time.monotonic() - start
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS  SuperLink + SuperNode with TLS" in out
    assert "Ready for the course." in out
    assert seconds < 30, f"the doctor took {seconds:.0f} s"
