"""The run config: an Experiment in the app's keys, and each site's data as the app reads it."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from flwr.common.config import parse_config_args

import fedlearn_kit as kit
from fedlearn_app import task
from fedlearn_kit.federation.config import run_config, write_run_config
from fedlearn_kit.federation.task import load_site, pooled_test, site_files, site_name


def test_an_experiment_is_written_in_flowers_key_names() -> None:
    exp = kit.Experiment(num_sites=3, model="mlp", lr=0.05, strategy="fedprox",
                         proximal_mu=0.5, num_rounds=2, local_epochs=1, seed=3)
    config = run_config(exp, min_sites=2)
    assert all("_" not in key for key in config)
    assert (config["num-server-rounds"], config["learning-rate"], config["local-epochs"],
            config["hidden"], config["proximal-mu"], config["min-sites"]) == (2, 0.05, 1, 16,
                                                                              0.5, 2)


def test_unknown_run_option_is_refused() -> None:
    with pytest.raises(ValueError, match="min_sites"):
        run_config(kit.Experiment(), min_site=1)


@pytest.mark.parametrize("path", ["/tmp/a b/result.pt", r"C:\Users\Åsa\work\result.pt",
                                  'odd "quoted" name.pt'])
def test_the_run_config_file_reads_back_in_flowers_parser(tmp_path, path: str) -> None:
    config = run_config(kit.Experiment(lr=0.1), result_path=path, server_eval=False)
    written = write_run_config(tmp_path / "run.toml", config)
    assert tomllib.loads(written.read_text(encoding="utf-8")) == config
    assert parse_config_args([str(written)]) == config  # what `flwr run --run-config` reads


def test_a_run_config_holds_finite_numbers_only(tmp_path) -> None:
    config = run_config(kit.Experiment(), connect_timeout=float("inf"))
    with pytest.raises(ValueError, match="finite"):
        write_run_config(tmp_path / "run.toml", config)


def test_a_node_reads_exactly_its_own_site_from_the_files_the_kit_writes() -> None:
    exp = kit.Experiment(num_sites=3, patients_per_site=120, seed=5)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    folder = site_files(exp)
    for i, site in enumerate(splits):
        own = load_site(exp, i)
        assert site_name(exp, i) == site
        pd.testing.assert_frame_equal(own.train, splits[site].train)
        read_train, read_test = task.load_data(str(task.site_file(folder, i)), i, exp.test_fraction,
                                               exp.seed)
        for ours, theirs in ((own.train, read_train), (own.test, read_test)):
            assert list(theirs["site"].unique()) == [site]
            X, y = task.to_tensors(ours)
            X_read, y_read = task.to_tensors(theirs)
            assert X.equal(X_read) and y.equal(y_read)  # the same patients, to the last bit
    assert len(pooled_test(exp)) == sum(len(s.test) for s in splits.values())
    with pytest.raises(ValueError, match="partition-id=3"):
        load_site(exp, 3)


def test_site_files_are_taken_in_spreadsheet_order(tmp_path) -> None:
    for name in ("site_B.csv", "site_AA.csv", "site_A.csv", "site_Z.csv"):
        (tmp_path / name).write_text("x\n")
    assert [task.site_file(tmp_path, i).name for i in range(4)] == \
        ["site_A.csv", "site_B.csv", "site_Z.csv", "site_AA.csv"]
    with pytest.raises(ValueError, match="partition-id=4"):
        task.site_file(tmp_path, 4)


def test_round_seeds_differ_by_round_and_site() -> None:
    seeds = {task.round_seed(42, r, p) for r in (1, 2) for p in (0, 1)}
    assert len(seeds) == 4
    assert task.round_seed(42, 1, 0) == task.round_seed(42, 1, 0)
