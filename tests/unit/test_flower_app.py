"""The course's Flower app folder: self-contained, loaded as `flwr run` loads it, and editable."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
import torch
from flwr.app import MessageType
from flwr.clientapp import ClientApp
from flwr.serverapp import ServerApp
from flwr.serverapp.strategy import DifferentialPrivacyServerSideFixedClipping, FedAvg

import fedlearn_kit as kit
from fedlearn_app import client_app, server_app
from fedlearn_app.round_log import TooFewSitesError
from fedlearn_kit.federation import flower_app, run
from fedlearn_kit.federation.config import RUN_OPTIONS, run_config
from fedlearn_kit.federation.task import new_net
from tests.helpers import ROOT

TINY = kit.Experiment(patients_per_site=150, num_rounds=2, seed=3)
APP = ROOT / "app"
#: What the app may import: Flower's public API, its own modules and the standard libraries
#: of a PyTorch project. Nothing of fedlearn_kit.
ALLOWED = ("flwr.app", "flwr.clientapp", "flwr.serverapp", "fedlearn_app", "torch", "numpy",
           "pandas", "sklearn", "__future__", "collections", "dataclasses", "functools",
           "json", "pathlib", "time", "typing")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_app_imports_only_flower_torch_and_itself() -> None:
    for path in sorted((APP / "fedlearn_app").glob("*.py")):
        for name in imports_of(path):
            assert name == "flwr" or name.startswith(ALLOWED), f"{path.name} imports {name}"


def test_pyproject_names_the_components_and_declares_no_kit_dependency() -> None:
    project = tomllib.loads((APP / "pyproject.toml").read_text(encoding="utf-8"))
    components = project["tool"]["flwr"]["app"]["components"]
    assert components == {"serverapp": "fedlearn_app.server_app:app",
                          "clientapp": "fedlearn_app.client_app:app"}
    needs = project["project"]["dependencies"]
    assert not [d for d in needs if "fedlearn" in d], needs  # installable from any index
    assert "tool" in project and "federations" not in project["tool"]["flwr"]  # flwr >= 1.26


def test_the_app_pins_what_the_kit_pins() -> None:
    """The app names the same versions the course installs, so Flower's `uv sync` on a plain
    SuperLink would install what the course is tested with."""
    def pins(path: Path) -> dict[str, str]:
        needs = tomllib.loads(path.read_text(encoding="utf-8"))["project"]["dependencies"]
        return {d.split("==")[0].split("[")[0]: d.split("==")[1] for d in needs if "==" in d}

    app, kit_pins = pins(APP / "pyproject.toml"), pins(ROOT / "pyproject.toml")
    assert set(app) == {"flwr", "torch", "numpy", "pandas", "scikit-learn"}
    assert {name: kit_pins[name] for name in app} == app


def test_the_app_is_valid_for_flwr() -> None:
    from flwr.cli.config_utils import load_and_validate

    config, warnings = load_and_validate(APP / "pyproject.toml", check_module=True)
    assert config is not None and not warnings, warnings


def test_the_kits_run_config_fills_every_key_the_app_declares_and_no_other() -> None:
    declared = flower_app.default_config(APP)
    config = run_config(kit.Experiment())
    assert set(config) == set(declared)
    assert {k: declared[k] for k in RUN_OPTIONS} == RUN_OPTIONS
    # The app's defaults are the course's default experiment.
    assert {k: v for k, v in config.items() if k not in RUN_OPTIONS} == \
        {k: declared[k] for k in config if k not in RUN_OPTIONS}


def test_components_load_fresh_from_the_folder_and_the_process_is_left_as_it_was(
        tmp_path: Path) -> None:
    import fedlearn_app.task as installed

    copy = flower_app.copy_app(tmp_path / "my_app")
    with flower_app.loaded(copy) as (client, server):
        assert isinstance(client, ClientApp) and isinstance(server, ServerApp)
        loaded_task = sys.modules["fedlearn_app.task"]
        assert Path(loaded_task.__file__).is_relative_to(copy)
    assert sys.modules["fedlearn_app.task"] is installed
    assert str(copy) not in sys.path


def test_copy_app_keeps_an_edited_copy_unless_told_to_replace(tmp_path: Path) -> None:
    copy = flower_app.copy_app(tmp_path / "mine")
    edited = copy / "fedlearn_app" / "client_app.py"
    edited.write_text(edited.read_text() + "\n# mine\n")
    assert flower_app.copy_app(tmp_path / "mine") == copy and "# mine" in edited.read_text()
    flower_app.copy_app(tmp_path / "mine", replace=True)
    assert "# mine" not in edited.read_text()
    with pytest.raises(FileNotFoundError, match="no pyproject.toml"):
        flower_app.app_folder(tmp_path)


def test_an_edited_reply_reaches_the_servers_history(tmp_path: Path) -> None:
    copy = flower_app.copy_app(tmp_path / "my_app")
    source = copy / "fedlearn_app" / "client_app.py"
    old = '"num-examples": len(train_data)})'
    assert source.read_text().count(old) == 1
    source.write_text(source.read_text().replace(
        old, '"num-examples": len(train_data), "positives": int(train_data["readmitted_30d"]'
             '.sum())})'))
    edited = run(TINY, app=copy, progress=False)
    positives = edited.site_metrics("positives", stage="train")
    splits = kit.split_cohort(TINY.cohort(), TINY.test_fraction, TINY.seed)
    for site, split in splits.items():
        assert set(positives[site]) == {int(split.train["readmitted_30d"].sum())}
    plain = run(TINY, progress=False)  # the course's own app is untouched
    assert "positives" not in plain.history.columns
    assert all(torch.equal(plain.state_dict[k], edited.state_dict[k]) for k in plain.state_dict)


def test_mods_registered_with_the_apps_handlers_wrap_only_their_handler() -> None:
    seen: dict[str, list[str]] = {"train": [], "evaluate": [], "both": []}

    def recorder(name: str):
        def mod(msg, context, call_next):
            seen[name].append(msg.metadata.message_type)
            return call_next(msg, context)
        return mod

    app = ClientApp(mods=[recorder("both")])
    app.train(mods=[recorder("train")])(client_app.train)
    app.evaluate(mods=[recorder("evaluate")])(client_app.evaluate)
    run(TINY, client_app=app, progress=False)
    assert set(seen["train"]) == {MessageType.TRAIN} and len(seen["train"]) == 4
    assert set(seen["evaluate"]) == {MessageType.EVALUATE} and len(seen["evaluate"]) == 4
    assert len(seen["both"]) == 8


def test_a_failing_handler_leaves_its_site_out_with_the_reason() -> None:
    def fail_at_site_1(msg, context, call_next):
        if context.node_config["partition-id"] == 1:
            raise RuntimeError("boom at site 1")
        return call_next(msg, context)

    app = ClientApp()
    app.train(mods=[fail_at_site_1])(client_app.train)
    app.evaluate()(client_app.evaluate)
    result = run(TINY, client_app=app, progress=False)
    assert result.missing == {1: (result.sites[1],), 2: (result.sites[1],)}
    assert result.errors[0]["site"] == result.sites[1]
    assert "boom at site 1" in result.errors[0]["reason"]
    # The app's modules are imported fresh for each run, so the class is the app's own.
    with pytest.raises(RuntimeError, match=r"Round 1 \(train\): 1 of 2 sites") as raised:
        run(TINY, client_app=app, min_sites=2, progress=False)
    assert type(raised.value).__name__ == TooFewSitesError.__name__


def test_a_flower_strategy_wrapper_runs_on_the_apps_rounds_and_sites_are_still_logged() -> None:
    # Flower's server-side DP wrapper with a tiny clipping norm and no noise: every site's
    # update is clipped to (almost) nothing, so the global model barely moves.
    clipped = ServerApp()

    @clipped.main()
    def main(grid, context) -> None:
        strategy = DifferentialPrivacyServerSideFixedClipping(
            FedAvg(min_available_nodes=1, min_train_nodes=1, min_evaluate_nodes=1),
            noise_multiplier=0.0, clipping_norm=1e-6, num_sampled_clients=2)
        server_app.run_rounds(grid, context, strategy)

    wrapped = run(TINY, server_app=clipped, progress=False)
    plain = run(TINY, progress=False)
    start = new_net(TINY).state_dict()
    moved = sum(float((wrapped.state_dict[k] - start[k]).norm()) for k in start)
    moved_plain = sum(float((plain.state_dict[k] - start[k]).norm()) for k in start)
    assert moved < 1e-5 < moved_plain
    assert wrapped.took_part == plain.took_part  # the round log still sees each reply


def test_a_supernode_without_its_site_number_is_told_how_to_start() -> None:
    from flwr.app import Context, RecordDict

    context = Context(run_id=1, node_id=5, node_config={}, state=RecordDict(),
                      run_config=run_config(TINY))
    with pytest.raises(ValueError, match='--node-config "partition-id=K data-path=FILE"'):
        client_app.site_data(context)


def test_a_supernode_started_for_another_number_of_sites_says_so() -> None:
    from flwr.app import Context, RecordDict

    context = Context(run_id=1, node_id=5, node_config={"partition-id": 1, "num-partitions": 2},
                      state=RecordDict(), run_config=run_config(kit.Experiment(num_sites=3)))
    with pytest.raises(ValueError, match="num-partitions=2 in the node config, but the run "
                                         "has num-sites=3"):
        client_app.site_data(context)
