"""Exercise checks of lesson 07: right answers pass, typical wrong ones fail."""

from __future__ import annotations

from pathlib import Path

import fedlearn_kit as kit
from fedlearn_kit.checks import real_deployment as check
from fedlearn_kit.federation import run
from fedlearn_kit.federation.deployment import certs
from fedlearn_kit.federation.faults import leave_after


def test_certificate_hosts(tmp_path: Path) -> None:
    assert not check.certificate_hosts(tmp_path, "10.1.2.3")
    certs.make_ca(tmp_path)
    certs.make_server_cert(tmp_path, ("127.0.0.1", "localhost"))
    assert not check.certificate_hosts(tmp_path, "10.1.2.3")
    certs.make_server_cert(tmp_path, ("127.0.0.1", "localhost", "10.1.2.3"))
    assert check.certificate_hosts(tmp_path, "10.1.2.3")
    certs.make_ca(tmp_path)  # a new CA: the old certificate is no longer signed by it
    assert not check.certificate_hosts(tmp_path, "10.1.2.3")


def test_missed_rounds() -> None:
    from flwr.clientapp import ClientApp

    from fedlearn_app import client_app

    leaving = ClientApp(mods=[leave_after(1, 1)])
    leaving.train()(client_app.train)
    leaving.evaluate()(client_app.evaluate)
    exp = kit.Experiment(num_rounds=3, patients_per_site=200)
    result = run(exp, progress=False, server_eval=False, client_app=leaving)
    assert result.missing == {2: ("B",), 3: ("B",)}
    assert check.missed_rounds({"A": [], "B": [2, 3]}, result)
    assert not check.missed_rounds({"A": [], "B": [3]}, result)
    assert not check.missed_rounds({"B": [2, 3]}, result)
    assert not check.missed_rounds([2, 3], result)


def test_secret_files(tmp_path: Path, capsys) -> None:
    room, laptop = tmp_path / "room", tmp_path / "site-0-laptop"
    certs.make_ca(room)
    certs.make_server_cert(room)
    certs.make_node_keys(laptop, 0)
    secret = ["ca.key", "superlink.key", "site-0"]
    assert check.secret_files(secret, room, laptop)
    assert check.secret_files([room / "ca.key", str(room / "superlink.key"),
                               laptop / "site-0"], room, laptop)  # full paths work too
    capsys.readouterr()
    assert not check.secret_files(secret + ["ca.crt"], room, laptop)
    assert "ca.crt" in capsys.readouterr().out
    assert not check.secret_files(["ca.key", "superlink.key"], room, laptop)
    assert not check.secret_files(secret + ["nothing.txt"], room, laptop)
    assert not check.secret_files("ca.key", room, laptop)


def test_secret_files_never_calls_a_private_key_shareable(tmp_path: Path, capsys) -> None:
    """The learner review's case: full paths once made every key 'can be shared'."""
    certs.make_ca(tmp_path)
    certs.make_server_cert(tmp_path)
    certs.make_node_keys(tmp_path, 0)
    private = {"ca.key", "superlink.key", "site-0"}
    answers = [[str(tmp_path / n) for n in private] + [str(tmp_path / "ca.crt")],
               ["ca.key", "ca.crt", "site-0.pub"], ["/elsewhere/site-0", "ca.crt"],
               sorted(p.name for p in tmp_path.iterdir())]
    for answer in answers:
        check.secret_files(answer, tmp_path)
        out = capsys.readouterr().out
        for line in out.splitlines():
            if "public" in line or "may travel" in line:
                assert not any(f"'{name}'" in line for name in private), line
