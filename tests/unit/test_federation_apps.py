"""The apps' extension points: a training function, mods per handler, a strategy wrapper."""

from __future__ import annotations

import pytest
import torch
from flwr.app import ConfigRecord, MessageType
from flwr.serverapp.strategy import DifferentialPrivacyServerSideFixedClipping

import fedlearn_kit as kit
from fedlearn_kit.federation import run
from fedlearn_kit.federation.apps import (
    TrainRequest,
    load_global,
    make_client_app,
    make_server_app,
    node_setup,
)
from fedlearn_kit.federation.task import new_net

TINY = kit.Experiment(patients_per_site=150, num_rounds=2, seed=3)


def test_a_training_function_replaces_sgd_and_its_metrics_reach_the_history() -> None:
    seen: list[tuple[int, int]] = []

    def no_training(net: torch.nn.Module, split: kit.Split, request: TrainRequest) -> dict:
        seen.append((request.server_round, request.partition_id))
        # The node's Context lives for the whole run: count this site's rounds in it.
        state = request.context.state
        done = int(state["trained"]["n"]) if "trained" in state else 0
        state["trained"] = ConfigRecord({"n": done + 1})
        return {"loss": 0.5, "steps": float(done + 1)}

    result = run(TINY, client_app=make_client_app(train_fn=no_training), progress=False)
    assert sorted(seen) == [(1, 0), (1, 1), (2, 0), (2, 1)]
    start = new_net(TINY).state_dict()  # nobody trained: FedAvg keeps the start weights
    assert all(torch.allclose(result.state_dict[k], start[k]) for k in start)
    train = result.history[result.history["stage"] == "train"]
    assert set(train["loss"]) == {0.5}
    assert train.groupby("round")["steps"].first().tolist() == [1.0, 2.0]


def test_the_default_training_step_gives_the_plain_run() -> None:
    plain = run(TINY, progress=False)
    hooked = run(TINY, client_app=make_client_app(train_fn=None), progress=False)
    assert all(torch.equal(plain.state_dict[k], hooked.state_dict[k]) for k in plain.state_dict)


def test_mods_wrap_only_the_handler_they_are_given_to() -> None:
    seen: dict[str, list[str]] = {"train": [], "evaluate": [], "both": []}

    def recorder(name: str):
        def mod(msg, context, call_next):
            seen[name].append(msg.metadata.message_type)
            return call_next(msg, context)
        return mod

    app = make_client_app(mods=[recorder("both")], train_mods=[recorder("train")],
                          evaluate_mods=[recorder("evaluate")])
    run(TINY, client_app=app, progress=False)
    assert set(seen["train"]) == {MessageType.TRAIN} and len(seen["train"]) == 4
    assert set(seen["evaluate"]) == {MessageType.EVALUATE} and len(seen["evaluate"]) == 4
    assert len(seen["both"]) == 8


def test_a_training_function_that_raises_leaves_its_site_out_with_the_reason() -> None:
    def fail_at_site_1(net: torch.nn.Module, split: kit.Split, request: TrainRequest) -> float:
        if request.partition_id == 1:
            raise RuntimeError("boom at site 1")
        return 0.1

    result = run(TINY, client_app=make_client_app(train_fn=fail_at_site_1), progress=False)
    assert result.missing == {1: (result.sites[1],), 2: (result.sites[1],)}
    assert "boom at site 1" in result.errors[0]["reason"]


def test_a_strategy_wrapper_changes_what_is_aggregated_and_sites_are_still_recorded() -> None:
    # Flower's server-side DP wrapper with a tiny clipping norm and no noise: every site's
    # update is clipped to (almost) nothing, so the global model barely moves.
    def clip_hard(strategy):
        return DifferentialPrivacyServerSideFixedClipping(
            strategy, noise_multiplier=0.0, clipping_norm=1e-6, num_sampled_clients=2)

    wrapped = run(TINY, server_app=make_server_app(wrap_strategy=clip_hard), progress=False)
    plain = run(TINY, progress=False)
    start = new_net(TINY).state_dict()
    moved = sum(float((wrapped.state_dict[k] - start[k]).norm()) for k in start)
    moved_plain = sum(float((plain.state_dict[k] - start[k]).norm()) for k in start)
    assert moved < 1e-5 < moved_plain
    assert wrapped.took_part == plain.took_part  # the kit's recorder still sees each reply


def test_on_round_is_told_each_round_once_its_evaluation_is_in() -> None:
    rounds: list[int] = []
    run(TINY, server_app=make_server_app(on_round=rounds.append), progress=False)
    assert rounds == [1, 2]


def test_node_setup_names_what_a_supernode_lacks() -> None:
    from flwr.app import Context, RecordDict

    context = Context(run_id=1, node_id=5, node_config={}, state=RecordDict(), run_config={})
    with pytest.raises(ValueError, match=r"lacks \['partition-id', 'num-partitions'\]"):
        node_setup(context)
    context = Context(run_id=1, node_id=5, node_config={"partition-id": 1, "num-partitions": 2},
                      state=RecordDict(), run_config={"seed": 9})
    exp, partition = node_setup(context)
    assert (exp.seed, partition) == (9, 1)


def test_load_global_reads_the_weights_a_message_carries() -> None:
    from flwr.app import ArrayRecord, RecordDict

    from fedlearn_kit.federation.local import LocalGrid

    net = new_net(TINY)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    grid = LocalGrid(make_client_app(), [], {})
    msg = grid.create_message(RecordDict({"arrays": ArrayRecord(net.state_dict())}),
                              MessageType.TRAIN, 1000, "1")
    loaded = load_global(TINY, msg)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in net.state_dict().items())
