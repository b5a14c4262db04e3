"""fedlearn_app: the ServerApp, which runs at the coordinator.

``main`` builds one of Flower's strategies (FedAvg, or FedProx), hands it the rounds and
saves the final global model. Every connected site trains and evaluates in every round,
and FedAvg weighs each site's reply by its number of training patients (``num-examples``).
The strategy reaches the sites through a :class:`~fedlearn_app.round_log.RoundLog`, which
writes down who took part in each round and what they reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from flwr.app import ArrayRecord, ConfigRecord, Context, MetricRecord, UserConfig
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg, FedProx, Strategy

from fedlearn_app.round_log import RoundLog, registered_sites
from fedlearn_app.task import load_data, make_model, site_file, test, to_tensors

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context) -> None:
    """Run FedAvg or FedProx for ``num-server-rounds`` rounds; save the model and the log."""
    cfg = context.run_config
    min_sites = int(cfg["min-sites"])
    every_site: dict[str, Any] = dict(
        fraction_train=1.0, fraction_evaluate=1.0, min_train_nodes=min_sites,
        min_evaluate_nodes=min_sites, min_available_nodes=min_sites)
    if cfg["strategy"] == "fedprox":
        strategy: Strategy = FedProx(proximal_mu=float(cfg["proximal-mu"]), **every_site)
    else:
        strategy = FedAvg(**every_site)
    run_rounds(grid, context, strategy)


def run_rounds(grid: Grid, context: Context, strategy: Strategy) -> None:
    """Wait for the sites, let ``strategy`` run the rounds, save the model and the log.

    The model is saved to the run config's ``result-path`` (nothing is saved when it is
    empty), with the round log beside it in the same file.
    """
    cfg = context.run_config
    log = RoundLog(grid, int(cfg["num-sites"]), int(cfg["num-server-rounds"]),
                   int(cfg["min-sites"]),
                   registered=registered_sites(str(cfg["registered-sites"])),
                   hold=(int(cfg["hold-after-round"]), str(cfg["hold-file"])))
    log.wait_for_sites(float(cfg["connect-timeout"]))
    model = make_model(str(cfg["model"]), int(cfg["seed"]), int(cfg["hidden"]))
    result = strategy.start(
        grid=log, initial_arrays=ArrayRecord(model.state_dict()),
        num_rounds=int(cfg["num-server-rounds"]), timeout=float(cfg["round-timeout"]),
        train_config=ConfigRecord({"lr": float(cfg["learning-rate"])}),
        evaluate_fn=pooled_test(cfg) if cfg["server-eval"] else None)
    if cfg["result-path"]:
        log.save(result, str(cfg["result-path"]))


def pooled_test(cfg: UserConfig) -> Callable[[int, ArrayRecord], MetricRecord]:
    """Server-side evaluation on every site's test patients pooled: the course's yardstick.

    Only possible because the course's patients are synthetic: a real coordinator holds no
    site's patients. Reads the sites' files from the run config's ``data-dir``.
    """
    seed, fraction = int(cfg["seed"]), float(cfg["test-fraction"])
    tests = [load_data(str(site_file(str(cfg["data-dir"]), i)), i, fraction, seed)[1]
             for i in range(int(cfg["num-sites"]))]
    X, y = to_tensors(pd.concat(tests, ignore_index=True))

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        model = make_model(str(cfg["model"]), int(cfg["seed"]), int(cfg["hidden"]))
        model.load_state_dict(arrays.to_torch_state_dict())
        return MetricRecord({**test(model, X, y), "num-examples": len(y)})

    return evaluate
