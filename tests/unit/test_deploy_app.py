"""The app's round log (its Grid wrapper) and the deployment's signals, without processes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flwr.app import ConfigRecord, Error, Message, MessageType, MetricRecord, RecordDict

from fedlearn_app.round_log import ROUND_DONE, RoundLog, TooFewSitesError, wait_for_file
from fedlearn_kit.federation import _flower
from fedlearn_kit.federation._flower import task_identity
from fedlearn_kit.federation.result import round_done


def request(node: int, stage: str = MessageType.TRAIN, server_round: int = 1) -> Message:
    with task_identity(1, 0, 1):
        msg = Message(RecordDict({"config": ConfigRecord({"server-round": server_round})}),
                      node, stage)
    _flower.set_message_id(msg, f"to-{node}-{stage}-{server_round}")
    return msg


def reply(to: Message, site: int, loss: float = 0.5) -> Message:
    with task_identity(1, to.metadata.dst_node_id, 2):
        answer = Message(RecordDict({"metrics": MetricRecord({"loss": loss, "num-examples": 10}),
                                     "site": ConfigRecord({"partition-id": site})}),
                         reply_to=to)
    _flower.set_message_id(answer, f"re-{to.metadata.message_id}")
    return answer


def failure(to: Message, reason: str, from_node: int | None = None) -> Message:
    with task_identity(1, to.metadata.dst_node_id if from_node is None else from_node, 2):
        answer = Message(Error(code=0, reason=reason), reply_to=to)
    _flower.set_message_id(answer, f"err-{to.metadata.message_id}")
    return answer


class ScriptedGrid:
    """A stand-in for Flower's Grid: each pushed message's reply appears after some pulls."""

    def __init__(self, answer, ready_after: int = 1, nodes=(11, 12)) -> None:
        self.answer, self.ready_after, self.pulls, self.nodes = answer, ready_after, 0, nodes
        self.sent: dict[str, Message] = {}

    def push_messages(self, messages):
        for msg in messages:
            self.sent[msg.metadata.message_id] = msg
        return list(self.sent)

    def pull_messages(self, message_ids):
        self.pulls += 1
        if self.pulls < self.ready_after:
            return []
        return [self.answer(self.sent.pop(i)) for i in list(message_ids) if i in self.sent]

    def get_node_ids(self):
        return list(self.nodes)


def test_the_log_pulls_until_every_reply_is_in_and_returns_them_in_site_order() -> None:
    sites = {11: 1, 12: 0}  # node 11 is site 1: the replies come back in site order
    grid = ScriptedGrid(lambda m: reply(m, sites[m.metadata.dst_node_id]), ready_after=3)
    log = RoundLog(grid, num_sites=2, num_rounds=1, pull_interval=0.01)
    replies = log.send_and_receive([request(11), request(12)], timeout=5)
    assert [r.content["site"]["partition-id"] for r in replies] == [0, 1]
    assert grid.pulls == 3
    assert log.took_part == {1: [0, 1]} and not log.missing
    assert sorted((r["partition"], r["num_examples"], r["loss"]) for r in log.rows) == \
        [(0, 10, 0.5), (1, 10, 0.5)]


def test_a_failed_site_is_logged_missing_with_flowers_reason_and_announced(capsys) -> None:
    def answer(m: Message) -> Message:
        if m.metadata.dst_node_id == 12:  # the SuperLink answers for a node that has gone
            return failure(m, "Node Unavailable", from_node=0)
        return reply(m, 0)

    log = RoundLog(ScriptedGrid(answer), num_sites=2, num_rounds=3, pull_interval=0.01)
    log.node_sites[12] = 1  # seen in an earlier round
    log.send_and_receive([request(11), request(12)], timeout=5)
    assert log.took_part == {1: [0]} and log.missing == {1: [1]}
    (error,) = log.errors
    assert (error["node_id"], error["partition"], error["reason"]) == (12, 1, "Node Unavailable")
    assert capsys.readouterr().out == "round 1 (train): site 1 failed: Node Unavailable\n"


def test_too_few_replies_stop_the_run_naming_the_round_and_the_missing_sites() -> None:
    log = RoundLog(ScriptedGrid(lambda m: failure(m, "boom")), num_sites=2, num_rounds=1,
                   pull_interval=0.01)
    with pytest.raises(TooFewSitesError, match=r"Round 1 \(train\): 0 of 2 .* Missing: \[0, 1\]"):
        log.send_and_receive([request(11), request(12)], timeout=5)


def test_a_finished_round_is_announced_in_the_line_the_kit_follows(capsys) -> None:
    log = RoundLog(ScriptedGrid(lambda m: reply(m, 0)), num_sites=1, num_rounds=5,
                   pull_interval=0.01)
    log.send_and_receive([request(11, MessageType.EVALUATE, server_round=3)], timeout=5)
    line = capsys.readouterr().out
    assert line.startswith("round 3 of 5 took ") and line.endswith("; missing: none\n")
    assert round_done(line) == 3
    assert round_done(ROUND_DONE.format(round=4, rounds=5, seconds=1.0, trained="none",
                                        missing="none")) == 4
    assert round_done("INFO :      [ROUND 3/5]") is None  # Flower's own wording is not read


def test_the_log_gives_up_waiting_after_the_timeout() -> None:
    import time

    grid = ScriptedGrid(lambda m: reply(m, 0), ready_after=10**9)
    log = RoundLog(grid, num_sites=1, num_rounds=1, pull_interval=0.01)
    start = time.monotonic()
    with pytest.raises(TooFewSitesError, match="0 of 1 sites replied"):
        log.send_and_receive([request(11, MessageType.EVALUATE)], timeout=0.1)
    assert time.monotonic() - start < 2 and log.missing == {1: [0]}


def test_the_wait_for_absent_sites_counts_down_then_starts_with_those_present(capsys) -> None:
    log = RoundLog(ScriptedGrid(None, nodes=(11, 12)), num_sites=3, num_rounds=1,
                   pull_interval=0.05)
    log.wait_for_sites(timeout=0.5, every=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("waiting for sites: 2 of 3 connected; starting in")
    assert 2 <= len(lines) <= 5  # a line every 0.2 s, not at every look
    assert lines[-1].startswith("2 of 3 sites connected; starting without the others")
    RoundLog(ScriptedGrid(None, nodes=(1, 2, 3)), 3, 1).wait_for_sites(5)
    assert capsys.readouterr().out == ""  # nobody missing: nothing said
    with pytest.raises(TooFewSitesError, match="Only 2 of 3 sites connected"):
        RoundLog(ScriptedGrid(None), 3, 1, min_sites=3, pull_interval=0.01).wait_for_sites(0.1)


def test_the_server_app_holds_after_a_round_until_the_kit_says_go(tmp_path: Path,
                                                                  capsys) -> None:
    assert wait_for_file("")  # no hold asked for
    go = tmp_path / "site-1-stopped"
    assert not wait_for_file(str(go), timeout=0.2)
    assert "no " in capsys.readouterr().out
    go.touch()
    assert wait_for_file(str(go), timeout=0.2)


def test_the_run_ids_to_stop_come_from_flwr_ls_json() -> None:
    output = ('notice line\n{"success": true, "runs": [{"run-id": "7", "status": "running"}, '
              '{"run-id": "6", "status": "finished:completed"}, '
              '{"run-id": "8", "status": "pending"}]}')
    assert _flower.unfinished_run_ids(output) == ["7", "8"]
    with pytest.raises(ValueError, match="flwr ls"):
        _flower.unfinished_run_ids('{"success": false}')


def test_a_supernodes_node_config_names_its_own_patients_file(tmp_path: Path) -> None:
    from flwr.common.config import parse_config_args

    from fedlearn_kit.federation.deployment import supervisor

    dep = SimpleNamespace(num_sites=3, site_data=lambda s: tmp_path / "a b" / f"{s}.csv")
    parsed = parse_config_args([supervisor.node_config(dep, 2)])
    assert parsed == {"partition-id": 2, "num-partitions": 3,
                      "data-path": str(tmp_path / "a b" / "2.csv")}
    assert (tmp_path / "a b" / "2.csv").read_text().startswith("patient_id,site,")


def test_the_commands_are_shown_as_typed_in_the_course_folder() -> None:
    from fedlearn_kit.federation.deployment import runs
    from tests.helpers import ROOT

    work = ROOT / "work" / "x"
    launcher = ["python", "flower_launcher.py"]
    procs = [
        SimpleNamespace(name="superlink", command=[
            *launcher, "superlink", "--ssl-certfile", f"{work}/credentials/superlink.crt",
            "--enable-supernode-auth"]),
        SimpleNamespace(name="supernode site 0", command=[
            *launcher, "supernode", "--node-config",
            f"partition-id=0 data-path='{work}/site-0/data/patients.csv'",
            "--auth-supernode-private-key", f"{work}/site-0/keys/site-0"]),
        SimpleNamespace(name="clientapp executor", command=["python", "-m", "executor"]),
    ]
    lines = runs.commands(SimpleNamespace(processes=procs, workdir=work, runs=2))
    assert lines == [
        "flower-superlink --ssl-certfile work/x/credentials/superlink.crt "
        "--enable-supernode-auth",
        "flower-supernode --node-config \"partition-id=0 "
        "data-path='work/x/site-0/data/patients.csv'\" --auth-supernode-private-key "
        "work/x/site-0/keys/site-0",
        "flwr run app fedlearn-kit --run-config work/x/runs/run-2/run-config.toml --stream"]
    assert runs._quoted("a$b") == "'a$b'" and runs._quoted("--port") == "--port"


def test_a_reply_announcing_another_site_than_its_keys_is_refused_loudly(capsys) -> None:
    """A participant holding site 0's key joins as site 2: its reply never counts."""
    from fedlearn_app.round_log import registered_sites

    sites = {11: 2, 12: 1}  # node 11 holds site 0's key but announces site 2
    grid = ScriptedGrid(lambda m: reply(m, sites[m.metadata.dst_node_id]))
    log = RoundLog(grid, num_sites=3, num_rounds=1, pull_interval=0.01,
                   registered=registered_sites("11:0 12:1"))
    replies = log.send_and_receive([request(11), request(12)], timeout=5)
    assert [r.has_error() for r in replies] == [False, True]  # site 1 first, then the refusal
    assert log.took_part == {1: [1]} and log.missing == {1: [0, 2]}
    (error,) = log.errors
    assert error["partition"] == 0 and "REFUSED: the node of site 0's key (node 11) " \
        "announced site 2" in error["reason"]
    assert "REFUSED: the node of site 0's key" in capsys.readouterr().out
    assert registered_sites("") == {}


def test_the_round_line_says_who_trained_and_who_sent_nothing(capsys) -> None:
    log = RoundLog(ScriptedGrid(lambda m: reply(m, 1)), num_sites=3, num_rounds=2,
                   pull_interval=0.01)
    log.send_and_receive([request(12)], timeout=5)
    log.send_and_receive([request(12, MessageType.EVALUATE)], timeout=5)
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith("round 1 of 2 took ") and \
        line.endswith("; trained: site 1; missing: site 0, site 2")


def test_missing_means_no_answer_at_all_in_the_summary() -> None:
    import pandas as pd

    from fedlearn_kit.cli import missing_lines

    history = pd.DataFrame([{"round": 3, "stage": "evaluate", "site": "B"},
                            {"round": 3, "stage": "train", "site": "A"}])
    result = SimpleNamespace(history=history, missing={3: ("B", "C")})
    assert missing_lines(result) == [
        "Round 3: missing C", "Round 3: B evaluated the model but did not train in this round"]
