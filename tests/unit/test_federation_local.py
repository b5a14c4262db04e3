"""The in-process engine: Flower's strategies over a LocalGrid give FedAvg's numbers."""

from __future__ import annotations

import pytest
import torch
from flwr.app import Context, Message
from flwr.clientapp import ClientApp

import fedlearn_kit as kit
from fedlearn_app import client_app
from fedlearn_kit.federation import run
from fedlearn_kit.federation.task import first_round, load_site

SMALL = kit.Experiment(patients_per_site=300, num_rounds=3, seed=11)


def test_same_seed_same_weights() -> None:
    a = run(SMALL, progress=False)
    b = run(SMALL, progress=False)
    for key in a.state_dict:
        assert torch.equal(a.state_dict[key], b.state_dict[key])
    assert a.history.equals(b.history)


def test_one_round_is_the_example_weighted_average_of_the_sites_updates() -> None:
    exp = kit.Experiment(patients_per_site=None, num_rounds=1, seed=3)
    result = run(exp, progress=False, server_eval=False)
    updates = [update for update, _ in first_round(exp).values()]
    sizes = [len(load_site(exp, i).train) for i in range(exp.num_sites)]
    assert sizes[0] != sizes[1]  # the preset sites differ in size, so weighting matters
    for key, value in result.state_dict.items():
        expected = sum(u[key] * n for u, n in zip(updates, sizes, strict=True)) / sum(sizes)
        torch.testing.assert_close(value, expected, rtol=0, atol=1e-6)
        unweighted = sum(u[key] for u in updates) / len(updates)
        assert not torch.allclose(value, unweighted, atol=1e-6)


def test_fedprox_with_mu_zero_is_fedavg_and_mu_pulls_weights() -> None:
    fedavg = run(SMALL, progress=False, server_eval=False)
    prox0 = run(kit.Experiment(**(SMALL.as_dict() | {"strategy": "fedprox"})),
                progress=False, server_eval=False)
    prox = run(kit.Experiment(**(SMALL.as_dict() | {"strategy": "fedprox", "proximal_mu": 1.0})),
               progress=False, server_eval=False)
    for key in fedavg.state_dict:
        assert torch.equal(fedavg.state_dict[key], prox0.state_dict[key])
    assert not torch.allclose(fedavg.state_dict["linear.weight"], prox.state_dict["linear.weight"])
    assert prox.model().name == "federated (FedProx)"


def test_result_has_per_site_metrics_and_participation() -> None:
    result = run(SMALL, progress=False)
    assert result.sites == ["A", "B"]
    auroc = result.site_metrics("auroc")
    assert list(auroc.index) == [1, 2, 3] and {"A", "B", "all"} <= set(auroc.columns)
    assert result.participation().all().all()
    assert result.took_part == {1: ("A", "B"), 2: ("A", "B"), 3: ("A", "B")}
    assert not result.missing and not result.errors
    server = result.history[result.history["stage"] == "server"]
    assert list(server["round"]) == [0, 1, 2, 3]
    model = result.model()
    assert model.trained_on == ("A", "B")
    assert 0.5 < kit.evaluate(model, load_site(SMALL, 1).test)["auroc"] <= 1.0
    # Flower's aggregate is weighted by examples: it lies between the two sites.
    last = auroc.loc[3]
    assert min(last["A"], last["B"]) <= last["all"] <= max(last["A"], last["B"])


def failing_client_app(site: int, rounds: set[int]) -> ClientApp:
    """The app's handlers, except that one site's training raises in the given rounds."""

    def disk_full(msg: Message, context: Context, call_next) -> Message:
        if context.node_config["partition-id"] == site and \
                msg.content["config"]["server-round"] in rounds:
            raise OSError("disk full at this site")
        return call_next(msg, context)

    app = ClientApp()
    app.train(mods=[disk_full])(client_app.train)
    app.evaluate()(client_app.evaluate)
    return app


def test_a_site_that_fails_is_missing_that_round_and_training_goes_on(capsys) -> None:
    result = run(SMALL, progress=False, client_app=failing_client_app(site=1, rounds={2}))
    assert result.took_part == {1: ("A", "B"), 2: ("A",), 3: ("A", "B")}
    assert result.missing == {2: ("B",)}
    assert list(result.participation()["B"]) == [True, False, True]
    (error,) = result.errors
    assert (error["round"], error["stage"], error["site"]) == (2, "train", "B")
    assert "Traceback" in error["reason"] and "disk full" in error["reason"]
    assert "disk full" in capsys.readouterr().err
    healthy = run(SMALL, progress=False)
    assert not torch.equal(result.state_dict["linear.weight"], healthy.state_dict["linear.weight"])


def test_too_few_sites_stops_the_run_naming_the_round_and_the_missing_site() -> None:
    with pytest.raises(RuntimeError, match=r"Round 2 \(train\): 1 of 2 .*min-sites=2.*\[1\]"):
        run(SMALL, progress=False, min_sites=2, client_app=failing_client_app(1, {2}))


def test_bad_arguments_get_clear_errors() -> None:
    with pytest.raises(ValueError, match="engine='ray'"):
        run(SMALL, engine="ray")
    with pytest.raises(ValueError, match="min_sites=3"):
        run(SMALL, min_sites=3)
    with pytest.raises(TypeError, match="Experiment"):
        run({"num_rounds": 1})  # type: ignore[arg-type]
