"""Exercise notebook 07: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py)."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest
from flwr.clientapp import ClientApp

import fedlearn_kit as kit
from fedlearn_kit.checks import real_deployment as check
from fedlearn_kit.federation.deployment import certs, credentials
from fedlearn_kit.federation.faults import leave_after
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "07_real_deployment.ipynb"
ROOM_ADDRESS = "10.0.0.5"


@dataclass
class Context:
    """What solutions/07 has made when the learner reaches each check. Each certificate
    answer gets a folder of its own, so that one answer's files cannot serve another."""

    workspace: Path
    room: Path
    laptops: list[Path]
    result: object
    records: list[SimpleNamespace]
    folders: itertools.count

    def certificate(self, *hosts: str, new_ca_after: bool = False, make: bool = True,
                    host: str = ROOM_ADDRESS) -> object:
        folder = self.workspace / f"room-{next(self.folders)}"
        folder.mkdir()
        if make:
            certs.make_ca(folder)
            certs.make_server_cert(folder, hosts)
            if new_ca_after:
                certs.make_ca(folder)
        return check.certificate_hosts(folder, host)

    def secret(self, answer: object) -> object:
        return check.secret_files(answer, self.room, *self.laptops)

    def private(self) -> list[str]:
        return [p.name for folder in (self.room, *self.laptops) for p in folder.iterdir()
                if credentials.is_private_key(p)]

    def public(self) -> list[str]:
        return [p.name for folder in (self.room, *self.laptops) for p in folder.iterdir()
                if not credentials.is_private_key(p)]

    def missed(self, answer: object) -> object:
        return check.missed_rounds(answer, self.result)

    def ours(self, answer: object) -> object:
        return check.stoppable(answer, self.records)


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Context:
    workspace = tmp_path_factory.mktemp("fedlearn-room")
    room = workspace / "facilitator"
    certs.make_ca(room)
    certs.make_server_cert(room, ("127.0.0.1", "localhost", ROOM_ADDRESS))
    laptops = [workspace / f"participant-{site}" for site in range(2)]
    for site, laptop in enumerate(laptops):
        credentials.make_site_keys(laptop, site)
    exp = kit.Experiment(seed=42, num_rounds=3, patients_per_site=200)
    from fedlearn_app import client_app  # the course app's handlers, as solutions/07 uses

    leaving = ClientApp(mods=[leave_after(site=1, after_round=1)])
    leaving.train()(client_app.train)
    leaving.evaluate()(client_app.evaluate)
    result = kit.federation.run(exp, progress=False, client_app=leaving)
    # A unit test starts no process: the "stranger" whose pid was given away is this test's
    # parent process, recorded with a start time a day off.
    me, parent = psutil.Process(os.getpid()), psutil.Process(os.getppid())
    records = [SimpleNamespace(name="this kernel", pid=me.pid, create_time=me.create_time()),
               SimpleNamespace(name="an old SuperNode", pid=parent.pid,
                               create_time=parent.create_time() - 86_400),
               SimpleNamespace(name="an old executor", pid=2**22 + 7, create_time=0.0)]
    return Context(workspace, room, laptops, result, records, itertools.count())


RIGHT = {
    "7.1": lambda c: c.certificate("127.0.0.1", "localhost", ROOM_ADDRESS),
    "7.2": lambda c: c.secret(c.private()),
    "7.3": lambda c: c.missed({"A": [], "B": [2, 3]}),
    "7.4": lambda c: c.ours({c.records[0].pid}),
}

WRONG = [
    # 7.1 a certificate for the workshop network
    Wrong("7.1", "a certificate without localhost", lambda c: c.certificate(
        "127.0.0.1", ROOM_ADDRESS), "does not list ['localhost']", "review"),
    Wrong("7.1", "the room's address only", lambda c: c.certificate(ROOM_ADDRESS),
          "127.0.0.1", "review"),
    Wrong("7.1", "another address", lambda c: c.certificate(
        "127.0.0.1", "localhost", "10.0.0.6"), f"not for {ROOM_ADDRESS}"),
    Wrong("7.1", "a new CA made after the certificate", lambda c: c.certificate(
        "127.0.0.1", "localhost", ROOM_ADDRESS, new_ca_after=True), "not signed by the ca"),
    Wrong("7.1", "nothing made", lambda c: c.certificate(make=False), "not found"),
    # 7.2 what must stay secret?
    Wrong("7.2", "the sites' keys only", lambda c: c.secret(["site-0", "site-1"]),
          "left out", "review"),
    Wrong("7.2", "every private key and ca.crt", lambda c: c.secret([*c.private(), "ca.crt"]),
          "only public information", "review"),
    Wrong("7.2", "one name as text, not a list", lambda c: c.secret("ca.key"), "single one"),
    Wrong("7.2", "the public files", lambda c: c.secret(c.public()), "left out"),
    Wrong("7.2", "a file that does not exist", lambda c: c.secret([*c.private(), "id_rsa"]),
          "not among the files"),
    # 7.3 which rounds did a site miss?
    Wrong("7.3", "only site B", lambda c: c.missed({"B": [2, 3]}), "one entry per site",
          "review"),
    Wrong("7.3", "the wrong rounds", lambda c: c.missed({"A": [], "B": [3]}),
          "not in result.took_part[r]", "review"),
    Wrong("7.3", "rounds counted from 0", lambda c: c.missed({"A": [], "B": [1, 2]}),
          "counted from 0"),
    Wrong("7.3", "the rounds each site took part in", lambda c: c.missed(
        {"A": [1, 2, 3], "B": [1]}), "took part in"),
    Wrong("7.3", "sites by number", lambda c: c.missed({0: [], 1: [2, 3]}), "names"),
    Wrong("7.3", "rounds as text", lambda c: c.missed({"A": [], "B": ["2", "3"]}), "text"),
    # 7.4 is this still our process?
    Wrong("7.4", "every pid that runs", lambda c: c.ours({r.pid for r in c.records[:2]}),
          "is running, but not the process that was recorded", "review"),
    Wrong("7.4", "pids as text", lambda c: c.ours({str(c.records[0].pid)}), "not text"),
    Wrong("7.4", "none", lambda c: c.ours(set()), "left out"),
]


def test_the_tables_cover_every_exercise() -> None:
    assert table_problems(NOTEBOOK, RIGHT, WRONG) == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, context: Context,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    verdict = RIGHT[exercise](context)
    assert_accepted(verdict, capsys.readouterr().out)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong, context: Context,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    verdict = wrong.call(context)
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])


def test_hosts_given_as_one_text_are_refused_where_the_certificate_is_made(
        tmp_path: Path) -> None:
    """The review's "hosts as one string": make_server_cert once made one name per
    character; now it refuses, saying how to write the hosts."""
    certs.make_ca(tmp_path)
    with pytest.raises(TypeError, match=r"tuple of names and addresses, e\.g\. \('10\.0\.0\.5',\)"):
        certs.make_server_cert(tmp_path, ROOM_ADDRESS)  # type: ignore[arg-type]
    assert not (tmp_path / certs.SERVER_CERT).exists()
