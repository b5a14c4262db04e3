"""What a run moved, and the figures of lesson 04."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import fedlearn_kit as kit  # noqa: E402
from fedlearn_kit.federation import plots, run  # noqa: E402
from fedlearn_kit.federation.report import what_leaves  # noqa: E402
from fedlearn_kit.federation.task import first_round  # noqa: E402

EXP = kit.Experiment(patients_per_site=200, num_rounds=2, seed=4)


@pytest.fixture(scope="module")
def result() -> kit.federation.Result:
    return run(EXP, progress=False)


def test_every_message_is_logged_with_its_size(result) -> None:
    messages = result.messages()
    # 2 rounds x 2 stages x 2 sites x (request + reply)
    assert len(messages) == 16
    numel = sum(t.numel() for t in result.state_dict.values())
    train_replies = messages[(messages["type"] == "train") & (messages["direction"] == "from site")]
    assert set(train_replies["numbers"]) == {numel}
    assert set(train_replies["site"]) == {"A", "B"}
    assert list(train_replies["round"]) == [1, 1, 2, 2]
    eval_replies = messages[(messages["type"] == "evaluate") &
                            (messages["direction"] == "from site")]
    assert set(eval_replies["numbers"]) == {0}  # metrics only, no weights
    assert "auroc" in eval_replies["metrics"].iloc[0]


def test_what_leaves_compares_records_with_updates(result) -> None:
    splits = kit.split_cohort(EXP.cohort(), EXP.test_fraction, EXP.seed)
    table = what_leaves(result, splits)
    for site, split in splits.items():
        records = table.loc[(site, "training records (stay at the site)")]
        update = table.loc[(site, "one model update (a train reply)")]
        assert records["numbers"] == split.train.shape[0] * split.train.shape[1]
        assert update["numbers"] == 17 and records["numbers"] > 100 * update["numbers"]
        everything = table.loc[(site, "every message it sent in the run")]
        assert everything["messages"] == 4
        assert update["metric values"] == 2  # loss and num-examples
        # two train replies (2 metrics each) and two evaluation replies (4 each)
        sent = result.messages()
        own = sent[(sent["site"] == site) & (sent["direction"] == "from site")]
        assert everything["metric values"] == sum(len(m.split(", ")) for m in own["metrics"]
                                                  if m)
        assert everything["metric values"] > 2 * update["metric values"]
    simulated_like = kit.federation.Result(**{**result.__dict__, "traffic": result.traffic[:0]})
    with pytest.raises(ValueError, match="engine='local'"):
        what_leaves(simulated_like, splits)


def test_first_round_averages_to_flowers_first_round() -> None:
    exp = kit.Experiment(patients_per_site=None, num_rounds=1, seed=8)
    updates = first_round(exp)
    total = sum(n for _, n in updates.values())
    one_round = run(exp, progress=False, server_eval=False)
    for key, value in one_round.state_dict.items():
        expected = sum(sd[key] * n for sd, n in updates.values()) / total
        torch.testing.assert_close(value, expected, rtol=0, atol=1e-6)


def test_figures_draw_the_runs_and_tables_they_are_given(result) -> None:
    rounds = plots.plot_rounds({"FedAvg": result}, baselines={"local": {"A": 0.7}})
    for ax, site in zip(rounds.axes, result.sites, strict=True):
        drawn = ax.lines[0]
        expected = result.site_metrics("auroc")[site]
        assert list(drawn.get_xdata()) == list(expected.index)
        assert list(drawn.get_ydata()) == pytest.approx(list(expected.to_numpy()))
    assert rounds.axes[0].lines[1].get_ydata()[0] == 0.7  # site A's baseline; B has none
    assert len(rounds.axes[1].lines) == 1
    table = pd.DataFrame({"A": [0.70, 0.74, 0.77], "B": [0.72, 0.73, 0.78]},
                         index=["local A", "local B", "federated"])
    gain = plots.plot_gain(table).axes[0]
    # Only the federated model is compared with each site's own: +0.07 (A), +0.05 (B).
    assert [b.get_height() for b in gain.patches] == pytest.approx([0.07, 0.05])
    from fedlearn_kit.evaluation import Difference

    ranges = {"federated": {"A": Difference(0.07, 0.02, 0.11), "B": Difference(0.05, 0.0, 0.06)}}
    whiskered = plots.plot_gain(table, intervals=ranges).axes[0]
    (segments,) = [c for c in whiskered.collections if len(c.get_segments()) == 2]
    assert [tuple(seg[:, 1]) for seg in segments.get_segments()] == [
        pytest.approx((0.02, 0.11)), pytest.approx((0.0, 0.06))]
    assert "federated: 95 % interval" in whiskered.get_legend_handles_labels()[1]
    figure = plots.plot_collaboration(table)
    (ax,) = figure.axes
    assert [b.get_height() for b in ax.patches] == list(table.to_numpy().ravel())
    assert ax.get_ylim()[0] == 0.5 and ax.get_ylabel() == "AUROC (0.5 = chance)"
    low, high = table - 0.05, table + 0.02
    whiskered = plots.plot_collaboration(table, intervals=(low, high)).axes[0]
    segments = [c for c in whiskered.collections if len(c.get_segments()) == 2]
    assert len(segments) == 3  # one whisker set per model
    assert [tuple(seg[:, 1]) for seg in segments[0].get_segments()] == [
        pytest.approx((0.65, 0.72)), pytest.approx((0.67, 0.74))]  # local A at A and B
    assert "95 % interval" in whiskered.get_legend_handles_labels()[1]
    brier = plots.plot_collaboration(table, metric="Brier")
    assert brier.axes[0].get_ylim()[0] == 0.0  # other metrics start at 0


def test_what_leaves_reads_in_the_learners_language(result, tmp_path, monkeypatch) -> None:
    from fedlearn_kit.federation.report import ONE_UPDATE, readable

    splits = kit.split_cohort(EXP.cohort(), EXP.test_fraction, EXP.seed)
    table = what_leaves(result, splits)
    monkeypatch.chdir(tmp_path)  # outside the course folders: FEDLEARN_LANG decides
    monkeypatch.setenv("FEDLEARN_LANG", "en")
    assert readable(table).equals(table)
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    swedish = readable(table)
    assert swedish.to_numpy().tolist() == table.to_numpy().tolist()  # the numbers unchanged
    assert list(swedish.index.names) == ["sjukhus", "vad"]
    assert "en modelluppdatering (ett träningssvar)" in swedish.index.get_level_values(1)
    assert "tal" in swedish.columns
    assert ONE_UPDATE in table.index.get_level_values("what")  # code still indexes English


def test_gains_and_updates_print_one_line_per_site(tmp_path, monkeypatch, capsys) -> None:
    from fedlearn_kit.evaluation import Difference
    from fedlearn_kit.federation.report import print_gains, print_updates

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEDLEARN_LANG", "en")
    gains = {"A": Difference(0.034, 0.024, 0.044), "B": Difference(0.001, 0.0, 0.002)}
    print_gains(gains, central={"A": 0.033, "B": -0.001})
    assert capsys.readouterr().out.splitlines() == [
        "Site A: federated +0.034 (95 % interval +0.024 to +0.044), central +0.033 AUROC "
        "over its own model",
        "Site B: federated +0.001 (95 % interval +0.000 to +0.002), central -0.001 AUROC "
        "over its own model"]
    print_gains(gains, sizes={"A": 226, "B": 1})
    assert capsys.readouterr().out.splitlines() == [
        "Site A: 226 training patients, gain +0.034 (95 % interval +0.024 to +0.044)",
        "Site B: 1 training patient, gain +0.001 (95 % interval +0.000 to +0.002)"]
    print_updates({"A": ({"linear.weight": torch.zeros(1, 2)}, 226)})
    assert capsys.readouterr().out == "Site A: 226 training patients, weights ['linear.weight']\n"
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    print_gains(gains, sizes={"A": 226, "B": 1})
    assert capsys.readouterr().out.splitlines() == [
        "Sjukhus A: 226 träningspatienter, vinst +0.034 (95 %-intervall +0.024 till +0.044)",
        "Sjukhus B: 1 träningspatient, vinst +0.001 (95 %-intervall +0.000 till +0.002)"]
