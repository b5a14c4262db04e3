"""fedlearn_app: the ClientApp, which runs at every hospital.

Flower calls ``train`` when the coordinator asks this site to train the global model, and
``evaluate`` when it asks the site to test it. Each reads this site's own patients, does
its work with the functions of ``task.py`` and replies. The run's settings come from the
run config (``[tool.flwr.app.config]`` in pyproject.toml); which site this is, and where
its data lie, from the node config the SuperNode was started with.
"""

from __future__ import annotations

import pandas as pd
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from fedlearn_app.task import load_data, make_model, round_seed, site_file, test, to_tensors
from fedlearn_app.task import train as train_model

app = ClientApp()


@app.train()
def train(msg: Message, context: Context) -> Message:
    """Train the global model on this site's training patients; reply with the new weights."""
    cfg = context.run_config
    model = make_model(str(cfg["model"]), int(cfg["seed"]), int(cfg["hidden"]))
    model.load_state_dict(msg.content.array_records["arrays"].to_torch_state_dict())
    partition_id, (train_data, _) = site_data(context)
    config = msg.content.config_records["config"]  # sent by the strategy
    lr, server_round = config["lr"], config["server-round"]
    proximal_mu = config.get("proximal-mu", 0.0)  # FedProx sends it
    assert isinstance(lr, float) and isinstance(server_round, int)
    assert isinstance(proximal_mu, float)
    losses = train_model(
        model, *to_tensors(train_data), epochs=int(cfg["local-epochs"]), lr=lr,
        batch_size=int(cfg["batch-size"]),
        seed=round_seed(int(cfg["seed"]), server_round, partition_id), proximal_mu=proximal_mu)
    metrics = MetricRecord({"loss": losses[-1], "num-examples": len(train_data)})
    content = RecordDict({"arrays": ArrayRecord(model.state_dict()), "metrics": metrics,
                          "site": ConfigRecord({"partition-id": partition_id})})
    return Message(content=content, reply_to=msg)


@app.evaluate()
def evaluate(msg: Message, context: Context) -> Message:
    """Test the global model on this site's test patients; reply with the scores."""
    cfg = context.run_config
    model = make_model(str(cfg["model"]), int(cfg["seed"]), int(cfg["hidden"]))
    model.load_state_dict(msg.content.array_records["arrays"].to_torch_state_dict())
    partition_id, (_, test_data) = site_data(context)
    metrics = MetricRecord({**test(model, *to_tensors(test_data)),
                            "num-examples": len(test_data)})
    content = RecordDict({"metrics": metrics,
                          "site": ConfigRecord({"partition-id": partition_id})})
    return Message(content=content, reply_to=msg)


def site_data(context: Context) -> tuple[int, tuple[pd.DataFrame, pd.DataFrame]]:
    """This site's number and its training and test patients.

    The SuperNode's node config says which site it is (``partition-id``) and may name the
    site's file (``data-path``); without it, the site reads its file from the run config's
    ``data-dir``, one file per site (Flower's simulation starts nodes that way).
    """
    node, cfg = context.node_config, context.run_config
    if "partition-id" not in node:
        raise ValueError("This SuperNode was started without its site's number: start it "
                         'with --node-config "partition-id=K data-path=FILE".')
    sites = int(node.get("num-partitions", cfg["num-sites"]))
    if sites != int(cfg["num-sites"]):
        raise ValueError(f"num-partitions={sites} in the node config, but the run has "
                         f"num-sites={cfg['num-sites']}: start every SuperNode with the "
                         "run's number of sites.")
    partition_id = int(node["partition-id"])
    path = node.get("data-path") or site_file(str(cfg["data-dir"]), partition_id)
    return partition_id, load_data(str(path), partition_id, float(cfg["test-fraction"]),
                                   int(cfg["seed"]))
