"""The run config: an Experiment survives the trip through Flower's kebab-case config."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.federation.config import (
    experiment_from_config,
    experiment_to_config,
    write_flower_app,
)
from fedlearn_kit.federation.task import load_site, pooled_test, round_seed, site_name


@pytest.mark.parametrize("exp", [
    kit.Experiment(),
    kit.Experiment(num_sites=3, patients_per_site=250, model="mlp", lr=0.05, strategy="fedprox",
                   proximal_mu=0.5, num_rounds=2, local_epochs=1, seed=3),
])
def test_experiment_round_trips_through_run_config(exp: kit.Experiment) -> None:
    config = experiment_to_config(exp, min_sites=2)
    assert all("_" not in key for key in config)
    assert config["min-sites"] == 2
    assert experiment_from_config(config) == exp


def test_run_config_values_from_toml_or_cli_are_cast() -> None:
    exp = experiment_from_config({"lr": 1, "num-rounds": "3", "patients-per-site": 0})
    assert exp.lr == 1.0 and isinstance(exp.lr, float)
    assert exp.num_rounds == 3 and exp.patients_per_site is None
    with pytest.raises(ValueError, match="num-rounds"):
        experiment_from_config({"num-rounds": "three"})


def test_unknown_run_option_is_refused() -> None:
    with pytest.raises(ValueError, match="min_sites"):
        experiment_to_config(kit.Experiment(), min_site=1)


def test_flower_app_pyproject_is_valid_for_flwr(tmp_path) -> None:
    from flwr.common.config import validate_config

    exp = kit.Experiment(num_rounds=3, strategy="fedprox", proximal_mu=0.1)
    path = write_flower_app(tmp_path, exp, min_sites=2)
    parsed = tomllib.loads(path.read_text())
    ok, errors, _ = validate_config(parsed, check_module=True, project_dir=tmp_path)
    assert ok, errors
    app_config = parsed["tool"]["flwr"]["app"]["config"]
    assert experiment_from_config(app_config) == exp
    assert app_config["min-sites"] == 2


def test_a_node_loads_exactly_its_own_site() -> None:
    exp = kit.Experiment(num_sites=3, patients_per_site=120, seed=5)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    for i, site in enumerate(splits):
        own = load_site(exp, i)
        assert site_name(exp, i) == site
        pd.testing.assert_frame_equal(own.train, splits[site].train)
        pd.testing.assert_frame_equal(own.test, splits[site].test)
        assert set(own.train["site"]) == {site}
    assert len(pooled_test(exp)) == sum(len(s.test) for s in splits.values())
    with pytest.raises(ValueError, match="partition-id=3"):
        load_site(exp, 3)


def test_round_seeds_differ_by_round_and_site() -> None:
    exp = kit.Experiment()
    seeds = {round_seed(exp, r, p) for r in (1, 2) for p in (0, 1)}
    assert len(seeds) == 4
    assert round_seed(exp, 1, 0) == round_seed(kit.Experiment(), 1, 0)
