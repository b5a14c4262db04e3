"""The deployment's ServerApp wrapper and app folder, without processes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import fedlearn_kit as kit
from fedlearn_kit.federation.config import COMPONENTS_MODULE, write_flower_app
from fedlearn_kit.federation.deployment.server_app import PromptGrid, round_done


class SlowGrid:
    """A stand-in for Flower's Grid: replies appear after a number of pulls."""

    def __init__(self, ready_after: int) -> None:
        self.ready_after, self.pulls = ready_after, 0

    def push_messages(self, messages):
        return [f"id-{i}" for i, _ in enumerate(messages)]

    def pull_messages(self, message_ids):
        self.pulls += 1
        if self.pulls < self.ready_after:
            return []
        return [SimpleNamespace(metadata=SimpleNamespace(reply_to_message_id=i),
                                has_error=lambda: False)
                for i in message_ids]


def test_prompt_grid_pulls_until_every_reply_is_in() -> None:
    inner = SlowGrid(ready_after=3)
    replies = PromptGrid(inner, interval=0.01).send_and_receive(["a", "b"], timeout=5)
    assert sorted(r.metadata.reply_to_message_id for r in replies) == ["id-0", "id-1"]
    assert inner.pulls == 3


def test_prompt_grid_gives_up_after_the_timeout() -> None:
    inner = SlowGrid(ready_after=10**9)
    assert PromptGrid(inner, interval=0.01).send_and_receive(["a"], timeout=0.1) == []


def test_app_folder_names_light_components(tmp_path: Path) -> None:
    pyproject = write_flower_app(tmp_path, kit.Experiment(num_rounds=2))
    text = pyproject.read_text()
    assert f'serverapp = "{COMPONENTS_MODULE}:server_app"' in text
    assert f'clientapp = "{COMPONENTS_MODULE}:client_app"' in text
    module = (tmp_path / f"{COMPONENTS_MODULE}.py").read_text()
    assert "client_app = " in module and "server_app = " in module  # Flower checks the AST
    assert '"num-rounds" = 2' in text


def test_the_folder_write_flower_app_writes_loads_the_deployment_apps(tmp_path: Path) -> None:
    """The folder a user runs with `flwr run DIR` is the one the deployment engine runs."""
    import importlib.util

    from flwr.clientapp import ClientApp
    from flwr.serverapp import ServerApp

    write_flower_app(tmp_path, kit.Experiment(num_rounds=2))
    spec = importlib.util.spec_from_file_location("course_app_under_test",
                                                  tmp_path / f"{COMPONENTS_MODULE}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from fedlearn_kit.federation import apps
    from fedlearn_kit.federation.deployment import server_app

    assert isinstance(module.client_app, ClientApp) and module.client_app is apps.client_app
    assert isinstance(module.server_app, ServerApp) and module.server_app is server_app.app


def test_the_round_signal_is_read_back_and_nothing_else_is() -> None:
    from fedlearn_kit.federation.deployment.server_app import ROUND_DONE

    assert round_done("INFO : " + ROUND_DONE.format(round=3, rounds=5) + "\n") == 3
    assert round_done("INFO :      [ROUND 3/5]") is None


def test_a_failed_reply_is_announced_with_its_cause(capsys) -> None:
    """A SuperNode started with another number of sites: the facilitator sees why."""
    from fedlearn_kit.federation.deployment.server_app import ANNOUNCE, announce_error

    reason = ("ClientApp with partition-id 1 raised:\nTraceback ...\nValueError: "
              "num-partitions=2 in the node config, but the run has num-sites=3")
    announce_error(SimpleNamespace(error=SimpleNamespace(reason=reason),
                                   metadata=SimpleNamespace(src_node_id=7)))
    out = capsys.readouterr().out
    assert out.startswith(ANNOUNCE) and "partition-id 1" in out and "num-sites=3" in out


def test_the_app_folder_declares_what_it_needs_to_run(tmp_path: Path) -> None:
    import tomllib
    from importlib.metadata import version

    pyproject = write_flower_app(tmp_path, kit.Experiment())
    needs = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert f"flwr=={version('flwr')}" in needs
    assert any(n.startswith("fedlearn-kit") for n in needs)
    assert any(n.startswith("torch==") for n in needs)


def test_the_server_app_holds_after_a_round_until_the_kit_says_go(tmp_path: Path, capsys
                                                                  ) -> None:
    from fedlearn_kit.federation.deployment.server_app import ANNOUNCE, wait_for_hold_file

    assert wait_for_hold_file("")  # no hold asked for
    go = tmp_path / "site-1-stopped"
    assert not wait_for_hold_file(str(go), timeout=0.2)
    assert f"{ANNOUNCE} no word from the kit" in capsys.readouterr().out
    go.touch()
    assert wait_for_hold_file(str(go), timeout=0.2)


def test_the_wait_for_absent_sites_counts_down_then_starts_with_those_present(capsys) -> None:
    from fedlearn_kit.federation.apps import wait_for_sites
    from fedlearn_kit.federation.deployment.server_app import ANNOUNCE, countdown

    grid = SimpleNamespace(get_node_ids=lambda: [11, 12])
    assert wait_for_sites(grid, 3, 1, timeout=0.5, on_wait=countdown(every=0.2)) == [11, 12]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{ANNOUNCE} waiting for sites: 2 of 3 connected; starting in")
    assert 2 <= len(lines) <= 5  # a line every 0.2 s, not at every look
    assert lines[-1] == (f"{ANNOUNCE} 2 of 3 sites connected; starting without the others "
                         "(they are reported as missing)")
    assert wait_for_sites(SimpleNamespace(get_node_ids=lambda: [1, 2, 3]), 3, 3, 5,
                          on_wait=countdown()) == [1, 2, 3]
    assert capsys.readouterr().out == ""  # nobody missing: nothing said


def _reply(node: int, partition: int, stage: str = "train"):
    """A reply from ``node`` announcing ``partition`` (the test has set Flower's run ids)."""
    from flwr.app import Message, MetricRecord, RecordDict
    from flwr.supercore.task_identity import TaskIdentity

    content = RecordDict({"metrics": MetricRecord({"partition-id": partition,
                                                   "num-examples": 10})})
    TaskIdentity._node_id = 0  # the ServerApp sends
    message = Message(content, dst_node_id=node, message_type=stage)
    TaskIdentity._node_id = node  # the node replies
    return Message(content, reply_to=message), message


def test_a_reply_announcing_another_site_than_its_keys_is_refused_loudly(
        tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    from fedlearn_kit.federation.deployment.processes import REGISTRATIONS_ENV

    path = tmp_path / "registrations.json"
    path.write_text(json.dumps({"node_ids": {"0": 11, "1": 22}, "registered": {}}))
    monkeypatch.setenv(REGISTRATIONS_ENV, str(path))
    from flwr.supercore.task_identity import TaskIdentity  # Message() reads the run's ids

    for name, value in (("_run_id", 1), ("_node_id", 1), ("_task_id", 1)):
        monkeypatch.setattr(TaskIdentity, name, value)
    grid = PromptGrid(SlowGrid(1), site_names=["A", "B", "C"])
    honest, sent_honest = _reply(22, 1)
    assert grid.refuse_wrong_site(honest, {"m": sent_honest}) is honest
    wrong, sent_wrong = _reply(11, 2)  # site 0's key, announcing site 2
    refused = grid.refuse_wrong_site(wrong, {wrong.metadata.reply_to_message_id: sent_wrong})
    assert refused.has_error() and "REFUSED: the node of site 0's key" in refused.error.reason
    assert "announced site 2" in refused.error.reason
    assert grid.site_of(11) == "site 0 (hospital A)"  # named by its key, never as site 2
    grid.learn_site(honest)
    line = grid.round_line(1, 3)
    assert "trained: B" in line and "missing: A, C" in line and "took" in line


def test_missing_means_no_answer_at_all_in_the_summary() -> None:
    import pandas as pd

    from fedlearn_kit.cli import missing_lines

    history = pd.DataFrame([{"round": 3, "stage": "evaluate", "site": "B"},
                            {"round": 3, "stage": "train", "site": "A"}])
    result = SimpleNamespace(history=history, missing={3: ("B", "C")})
    assert missing_lines(result) == [
        "Round 3: missing C", "Round 3: B evaluated the model but did not train in this round"]
