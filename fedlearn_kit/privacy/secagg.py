"""Secure aggregation with Flower's SecAgg+ (lesson 06), on Flower's legacy API.

In flwr 1.41 SecAgg+ exists only for the legacy API: the server side is
``flwr.server.workflow.SecAggPlusWorkflow`` inside a legacy ``flwr.server.ServerApp``, the
client side is ``flwr.client.mod.secaggplus_mod``, which reads the legacy ``FitRes``
format. The kit's Message-API apps cannot use it, so this module runs a minimal legacy
pair of apps that train the same model with the app's own ``task.train``
loop, on the kit's in-process engine. The kit writes no cryptography of its own.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.i18n import _


@dataclass
class SecAggRun:
    """What a SecAgg+ run produced: the final global weights and what the coordinator saw."""

    final: list[np.ndarray]
    masked: list[dict[str, Any]] = field(default_factory=list)  # replies the server received
    plain: list[dict[str, Any]] = field(default_factory=list)  # site updates before masking


def _legacy_apps(exp: Experiment, record: SecAggRun, num_shares: int, threshold: int,
                 max_weight: int) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from flwr.client import ClientApp as LegacyClientApp
        from flwr.client import NumPyClient
        from flwr.client.mod import secaggplus_mod
        from flwr.common import bytes_to_ndarray, ndarrays_to_parameters
        from flwr.server import LegacyContext, ServerConfig
        from flwr.server import ServerApp as LegacyServerApp
        from flwr.server.strategy import FedAvg as LegacyFedAvg
        from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow

    from fedlearn_app import task
    from fedlearn_kit.federation._flower import secaggplus_keys
    from fedlearn_kit.federation.task import load_site, new_net

    # Flower's SecAgg+ record keys: internal constants of its legacy API, from the adapter.
    record_key_configs, key = secaggplus_keys()

    def weights(net: Any) -> list[np.ndarray]:
        return [v.detach().numpy().copy() for v in net.state_dict().values()]

    class SiteClient(NumPyClient):
        def __init__(self, partition: int) -> None:
            self.partition = partition

        def fit(self, parameters: list[np.ndarray], config: dict[str, Any]
                ) -> tuple[list[np.ndarray], int, dict[str, Any]]:
            import torch

            net = new_net(exp)
            keys = list(net.state_dict())
            net.load_state_dict({k: torch.from_numpy(np.asarray(v))
                                 for k, v in zip(keys, parameters, strict=True)})
            split = load_site(exp, self.partition)
            server_round = int(config.get("server_round", 1))
            task.train(net, *task.to_tensors(split.train), epochs=exp.local_epochs, lr=exp.lr,
                       batch_size=exp.batch_size,
                       seed=task.round_seed(exp.seed, server_round, self.partition))
            out = weights(net)
            record.plain.append({"partition": self.partition, "weights": out,
                                 "num_examples": len(split.train)})
            return out, len(split.train), {}

    def client_fn(context: Any) -> Any:
        return SiteClient(int(context.node_config["partition-id"])).to_client()

    def tap(msg: Any, context: Any, call_next: Any) -> Any:
        reply = call_next(msg, context)
        configs = reply.content.config_records.get(record_key_configs)
        if configs is not None and key.MASKED_PARAMETERS in configs:
            record.masked.append({"partition": int(context.node_config["partition-id"]),
                                  "masked": [bytes_to_ndarray(b)
                                             for b in configs[key.MASKED_PARAMETERS]]})
        return reply

    client_app = LegacyClientApp(client_fn=client_fn, mods=[tap, secaggplus_mod])
    server_app = LegacyServerApp()

    @server_app.main()
    def main(grid: Any, context: Any) -> None:
        strategy = LegacyFedAvg(
            fraction_fit=1.0, fraction_evaluate=0.0, min_fit_clients=exp.num_sites,
            min_available_clients=exp.num_sites,
            initial_parameters=ndarrays_to_parameters(weights(new_net(exp))),
            on_fit_config_fn=lambda r: {"server_round": r},
            fit_metrics_aggregation_fn=lambda metrics: {})
        legacy = LegacyContext(context, config=ServerConfig(num_rounds=exp.num_rounds),
                               strategy=strategy)
        DefaultWorkflow(fit_workflow=SecAggPlusWorkflow(
            num_shares=num_shares, reconstruction_threshold=threshold,
            max_weight=float(max_weight)))(grid, legacy)
        record.final = legacy.state.array_records["parameters"].to_numpy_ndarrays()

    return client_app, server_app


def run_secagg(exp: Experiment, num_shares: int | None = None, threshold: int | None = None
               ) -> SecAggRun:
    """Train ``exp`` with FedAvg under Flower's SecAgg+ on the in-process engine.

    Needs at least three sites: with two, each site could subtract its own update from the
    sum (see ``attacks.recover_partner_update``). ``num_shares`` defaults to every site,
    ``threshold`` (shares needed to unmask) to all but one.
    """
    if exp.num_sites < 3:
        raise ValueError(f"num_sites={exp.num_sites}: secure aggregation needs at least 3 "
                         "sites to hide anything from a partner; use Experiment(num_sites=3).")
    from flwr.app import Context, RecordDict

    from fedlearn_kit.federation.local import LocalGrid
    from fedlearn_kit.federation.result import quiet_flower
    from fedlearn_kit.training import one_torch_thread

    record = SecAggRun(final=[])
    num_shares = num_shares or exp.num_sites
    threshold = threshold or exp.num_sites - 1
    max_weight = 2 * sum(s.num_patients for s in exp.sites())  # above any site's weight
    client_app, server_app = _legacy_apps(exp, record, num_shares, threshold, max_weight)
    configs = [{"partition-id": i, "num-partitions": exp.num_sites}
               for i in range(exp.num_sites)]
    grid = LocalGrid(client_app, configs, {})
    context = Context(run_id=1, node_id=0, node_config={}, state=RecordDict(), run_config={})
    with warnings.catch_warnings(), quiet_flower(logging.ERROR), one_torch_thread(), \
            grid.identity():
        warnings.simplefilter("ignore")
        server_app(grid, context)
    return record


def plain_fedavg(run: SecAggRun, server_round: int) -> list[np.ndarray]:
    """What FedAvg would have released in ``server_round`` without secure aggregation."""
    num_sites = len({u["partition"] for u in run.plain})
    updates = run.plain[(server_round - 1) * num_sites:server_round * num_sites]
    if len(updates) != num_sites:
        raise ValueError(f"No complete round {server_round} in this run.")
    total = sum(u["num_examples"] for u in updates)
    return [sum(u["num_examples"] * u["weights"][k] for u in updates) / total
            for k in range(len(updates[0]["weights"]))]


def coordinator_view(run: SecAggRun, partition: int = 0, server_round: int = 1, n: int = 5
                     ) -> pd.DataFrame:
    """The first ``n`` weights of one site's update: as trained, and as the server got them."""
    num_sites = len({u["partition"] for u in run.plain})
    plain = [u for u in run.plain if u["partition"] == partition][server_round - 1]
    masked = [m for m in run.masked if m["partition"] == partition][server_round - 1]
    if num_sites < 1:
        raise ValueError("The run recorded no updates.")
    # SecAgg+ sends the site's weight first, then each array, quantised and masked.
    return pd.DataFrame({_("the site's weight"): plain["weights"][0].ravel()[:n],
                         _("what the server receives"): masked["masked"][1].ravel()[:n]})


def compare_with_fedavg(run: SecAggRun, server_round: int = 1, tolerance: float = 1e-3
                        ) -> float:
    """The largest difference between the global model SecAgg+ released and what plain
    FedAvg would have released in ``server_round``; prints whether it is within
    ``tolerance``. SecAgg+ rounds updates to integers, so the difference is never exactly 0
    and changes from run to run: the sentence names the tolerance, not the difference."""
    gap = max(float(np.abs(a - b).max())
              for a, b in zip(run.final, plain_fedavg(run, server_round), strict=True))
    sentence = (_("The global model equals plain FedAvg to within {tolerance}.")
                if gap < tolerance else
                _("The global model differs from plain FedAvg by more than {tolerance}."))
    print(sentence.format(tolerance=f"{tolerance:g}"))
    return gap
