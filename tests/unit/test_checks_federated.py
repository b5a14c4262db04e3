"""The checks of lesson 04 accept right answers and reject the typical wrong ones."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from fedlearn_kit.checks import federated as check

UPDATES = {"A": ({"w": torch.tensor([1.0, 2.0]), "b": torch.tensor([0.0])}, 100),
           "B": ({"w": torch.tensor([3.0, 6.0]), "b": torch.tensor([1.0])}, 300)}


def test_fedavg_average_accepts_the_weighted_mean_only(capsys) -> None:
    right = {"w": torch.tensor([2.5, 5.0]), "b": torch.tensor([0.75])}
    assert check.fedavg_average(right, UPDATES)
    assert check.fedavg_average({k: v.tolist() for k, v in right.items()}, UPDATES)
    plain = {"w": torch.tensor([2.0, 4.0]), "b": torch.tensor([0.5])}
    assert not check.fedavg_average(plain, UPDATES)
    assert "plain mean" in capsys.readouterr().out
    assert not check.fedavg_average({"w": right["w"]}, UPDATES)
    assert not check.fedavg_average([1, 2], UPDATES)  # type: ignore[arg-type]
    assert not check.fedavg_average({"w": torch.zeros(3), "b": torch.zeros(1)}, UPDATES)


def test_fedavg_average_compares_32_and_64_bit_answers_with_64_bit_updates() -> None:
    updates = {site: ({k: v.double() for k, v in sd.items()}, n)
               for site, (sd, n) in UPDATES.items()}
    right = {"w": torch.tensor([2.5, 5.0]), "b": torch.tensor([0.75])}
    assert check.fedavg_average(right, updates)
    assert check.fedavg_average({k: v.double() for k, v in right.items()}, updates)
    assert not check.fedavg_average({"w": torch.tensor([2.0, 4.0]).double(),
                                     "b": torch.tensor([0.5]).double()}, updates)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"A": [0.70, 0.78, 0.80], "B": [0.75, 0.79, 0.79]},
                        index=["local A", "local B", "federated (FedAvg)"])


def test_collaboration_gain(table: pd.DataFrame, capsys) -> None:
    gains = {"A": 0.80 - 0.70, "B": 0.79 - 0.79}
    assert check.collaboration_gain(gains, table)
    assert "Gains, largest first: A +0.100" in capsys.readouterr().out
    assert not check.collaboration_gain({"A": -0.1, "B": 0.0}, table)
    assert "reversed" in capsys.readouterr().out
    assert not check.collaboration_gain({"A": 0.1}, table)
    assert not check.collaboration_gain({"A": 0.1, "B": 0.04}, table)


def test_update_numbers() -> None:
    state_dict = {"linear.weight": torch.zeros(1, 16), "linear.bias": torch.zeros(1)}
    assert check.update_numbers(17, state_dict)
    assert not check.update_numbers(16, state_dict)
    assert not check.update_numbers("many", state_dict)


def test_fedprox_drift_names_squared_and_absolute_sizes(capsys) -> None:
    from fedlearn_kit.federation.drift import distance

    start = {"w": torch.tensor([0.0, 1.0])}
    updates = {"FedAvg": {"A": {"w": torch.tensor([3.0, 5.0])}},
               "FedProx": {"A": {"w": torch.tensor([1.5, 3.0])}}}
    right = {n: {s: distance(m, start) for s, m in ms.items()} for n, ms in updates.items()}
    assert check.fedprox_drift(right, start, updates)
    assert "50%" in capsys.readouterr().out
    squared = {n: {s: v ** 2 for s, v in d.items()} for n, d in right.items()}
    assert not check.fedprox_drift(squared, start, updates)
    assert "squared" in capsys.readouterr().out
    size = {n: {"A": float(ms["A"]["w"].norm())} for n, ms in updates.items()}
    assert not check.fedprox_drift(size, start, updates)
    assert "size of the site's model" in capsys.readouterr().out
    assert not check.fedprox_drift({"FedAvg": right["FedAvg"]}, start, updates)


def test_more_sites_gain_reports_sizes(capsys) -> None:
    from types import SimpleNamespace

    table = pd.DataFrame({"A": [0.70, 0.80], "B": [0.79, 0.79]},
                         index=["local A", "federated (FedAvg)"])
    table.loc["local B"] = [0.7, 0.78]
    splits = {"A": SimpleNamespace(train=pd.DataFrame(index=range(226))),
              "B": SimpleNamespace(train=pd.DataFrame(index=range(1800)))}
    gains = {"A": 0.80 - 0.70, "B": 0.79 - 0.78}
    assert check.more_sites_gain(gains, table, splits)
    assert "226 training patients" in capsys.readouterr().out
    assert not check.more_sites_gain({"A": -0.1, "B": 0.01}, table, splits)
    assert not check.more_sites_gain({"A": 0.1}, table, splits)


def test_reply_metrics_and_coordinator_roles(capsys) -> None:
    log = pd.DataFrame({"type": ["train", "train", "evaluate"],
                        "direction": ["to site", "from site", "from site"],
                        "metrics": ["", "loss, num-examples",
                                    "loss, auroc, brier, num-examples"]})
    assert check.reply_metrics({"loss", "num-examples"}, log)
    assert not check.reply_metrics({"loss", "auroc", "brier", "num-examples"}, log)
    assert "evaluation reply" in capsys.readouterr().out
    assert not check.reply_metrics({"loss"}, log)
    assert not check.reply_metrics("loss", log)
    right = {k: truth for k, (truth, _) in check.COORDINATOR_STATEMENTS.items()}
    assert check.coordinator_roles(right)
    assert not check.coordinator_roles({**right, "records_leave": True})


def test_update_numbers_names_a_forgotten_intercept(capsys) -> None:
    state_dict = {"linear.weight": torch.zeros(1, 16), "linear.bias": torch.zeros(1)}
    assert not check.update_numbers(16, state_dict)
    assert "intercept" in capsys.readouterr().out


def test_reply_carries_finds_the_new_metric(small_experiment, tmp_path, capsys) -> None:
    from dataclasses import replace

    import fedlearn_kit as kit
    from fedlearn_kit.federation.flower_app import copy_app, replace_in_file

    exp = replace(small_experiment, num_rounds=1, local_epochs=1)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    reply = '"num-examples": len(train_data)})'

    def edited(name: str, positives: str):
        app = copy_app(tmp_path / name)
        replace_in_file(app / "fedlearn_app" / "client_app.py", reply,
                        f'"num-examples": len(train_data), "positives": {positives}}})')
        return kit.federation.run(exp, app=app, progress=False)

    assert check.reply_carries(edited("right", 'int(train_data["readmitted_30d"].sum())'),
                               splits)
    plain = kit.federation.run(exp, progress=False)
    assert not check.reply_carries(plain, splits)
    assert "do not carry 'positives'" in capsys.readouterr().out
    assert not check.reply_carries(edited("lying", "0"), splits)
    assert "were readmitted" in capsys.readouterr().out
    assert not check.reply_carries("a result", splits)


def test_a_swedish_exercise_gets_swedish_feedback(table: pd.DataFrame, tmp_path, monkeypatch,
                                                   capsys) -> None:
    monkeypatch.chdir(tmp_path)  # outside the course folders: FEDLEARN_LANG decides
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    plain = {"w": torch.tensor([2.0, 4.0]), "b": torch.tensor([0.5])}
    assert not check.fedavg_average(plain, UPDATES)
    assert capsys.readouterr().out.startswith(
        "❌ Inte än: det här är det vanliga medelvärdet: alla sjukhus väger lika.")
    assert not check.collaboration_gain({"A": -0.1, "B": 0.0}, table)
    assert "tecknet för sjukhus A är omvänt" in capsys.readouterr().out
    assert not check.coordinator_roles({key: not truth for key, (truth, _hint) in
                                        check.COORDINATOR_STATEMENTS.items()})
    assert "läs avsnitt 6 igen" in capsys.readouterr().out  # the hint, translated
    assert check.update_numbers(3, {"w": torch.zeros(2), "b": torch.zeros(1)})
    assert "3 tal per uppdatering" in capsys.readouterr().out
