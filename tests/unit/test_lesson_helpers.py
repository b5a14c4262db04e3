"""The helpers lessons 00-04 use: claims, show_source, drift, without_variable, figures."""

from __future__ import annotations

import inspect
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_app import client_app, task
from fedlearn_kit import plots
from fedlearn_kit.claims import WARNING, claim
from fedlearn_kit.cohort import generate_site
from fedlearn_kit.federation import drift
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME


def test_claim_is_silent_when_true_and_names_the_sentence_when_not(capsys):
    claim(True, "holds")
    assert capsys.readouterr().out == ""
    claim(0.5 > 0.9, "Site A gains most")
    out = capsys.readouterr().out
    assert out.startswith(WARNING) and '"Site A gains most"' in out


def test_show_source_displays_the_package_code_with_a_relative_location():
    shown = kit.show_source(kit.training.train, docstring=False)
    text = repr(shown)
    assert text.startswith("# from app/fedlearn_app/task.py, train\n")
    assert "def train(" in text and '"""' not in text and "optimizer.step()" in text
    assert "```python" in shown._repr_markdown_()


def test_show_source_shows_a_whole_file_or_one_handler_as_written():
    whole = repr(kit.show_source(client_app))
    assert whole.splitlines()[0] == "# from app/fedlearn_app/client_app.py"
    assert whole.endswith(inspect.getsource(client_app).rstrip())  # the file, unaltered
    handler = repr(kit.show_source(client_app, only="train"))
    assert handler.splitlines()[1].startswith("@app.train") and "def evaluate" not in handler
    with pytest.raises(ValueError, match="no function named 'nothing'"):
        kit.show_source(client_app, only="nothing")
    with pytest.raises(TypeError, match="needs a module, function"):
        kit.show_source(42)


def test_without_variable_makes_the_model_input_zero(small_cohort):
    df = small_cohort["A"]
    for column in ("nt_probnp", "age", "diabetes"):
        hidden = kit.without_variable(df, column)
        x = task.to_tensors(hidden)[0].numpy()[:, FEATURE_NAMES.index(column)]
        assert np.allclose(x, 0.0, atol=1e-6)
        assert hidden.drop(columns=column).equals(df.drop(columns=column))
    with pytest.raises(ValueError, match="category"):
        kit.without_variable(df, "sex")
    with pytest.raises(ValueError, match="not one of the model's variables"):
        kit.without_variable(df, "patient_id")


def test_fedprox_drifts_less_than_fedavg(small_experiment):
    exp = replace(small_experiment, local_epochs=3)
    start, plain = drift.start_and_updates(exp)
    _, prox = drift.start_and_updates(exp, proximal_mu=1.0)
    for site in plain:
        assert drift.distance(prox[site], start) < drift.distance(plain[site], start)
    table = drift.drift_table(exp, mus=(0.0, 1.0), local_epochs=(1, 3))
    assert list(table.index) == [(1, "FedAvg"), (1, "FedProx mu=1"), (3, "FedAvg"),
                                 (3, "FedProx mu=1")]
    assert drift.distance({"w": torch.tensor([3.0, 4.0])}, {"w": torch.zeros(2)}) == 5.0


def test_sample_rates_vary_by_chance_around_the_sites_rate(small_cohort):
    # Other samples of the site's size from its profile: centred on the profile's rate (read
    # from one large sample of another stream) with the binomial spread sqrt(p(1-p)/n).
    rates = kit.evaluation.sample_rates(small_cohort, "A", num_samples=40)
    profile, size = small_cohort.profiles[0], len(small_cohort["A"])
    p = generate_site(profile, small_cohort.seed, 0, num_patients=50_000,
                      stream=99)[OUTCOME_NAME].mean()
    spread = np.sqrt(p * (1 - p) / size)
    assert rates.shape == (40,)
    assert abs(rates.mean() - p) < 3 * spread / np.sqrt(40) + 0.005
    assert 0.6 * spread < rates.std(ddof=1) < 1.4 * spread


def test_coefficient_error_is_the_mean_gap_to_the_true_effects(small_cohort):
    model = kit.fit(small_cohort["A"].head(50), kit.Experiment(epochs=1), "logistic")
    truth = torch.tensor([[kit.TRUE_COEFFICIENTS[f] for f in FEATURE_NAMES]])
    weights = model.net.linear.weight
    with torch.no_grad():
        weights.copy_(truth)
        assert kit.evaluation.coefficient_error(model) == pytest.approx(0.0, abs=1e-7)
        signs = torch.tensor([[(-1.0) ** i for i in range(len(FEATURE_NAMES))]])
        weights.copy_(truth + 0.2 * signs)
        assert kit.evaluation.coefficient_error(model) == pytest.approx(0.2)


def test_calibration_gaps_are_observed_minus_predicted_per_risk_bin(small_cohort):
    df = small_cohort["B"].head(200)
    y = df[OUTCOME_NAME].to_numpy()
    # A "model" that says 10 % for the first 100 patients and 50 % for the others: with two
    # risk bins, each bin's gap is that half's readmission rate minus its prediction.
    fixed = SimpleNamespace(name="fixed",
                            predict_proba=lambda d: np.where(np.arange(len(d)) < 100, 0.1, 0.5))
    gaps = kit.evaluation.calibration_gaps({"fixed": fixed}, df, bins=2)
    assert list(gaps.columns) == ["fixed"]
    assert gaps["fixed"].tolist() == pytest.approx([abs(y[:100].mean() - 0.1),
                                                    abs(y[100:].mean() - 0.5)])


def test_cohort_figure_has_human_titles_axes_and_a_legend_off_the_data(small_cohort):
    fig = plots.plot_sites(small_cohort)
    titles = [ax.get_title() for ax in fig.axes]
    assert "NT-proBNP (ng/L)" in titles and "Admissions in previous 12 months" in titles
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert all(ax.get_ylabel() == "% of the site's patients" for ax in panels)
    legend_axes = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert len(legend_axes) == 1 and not legend_axes[0].get_title()
    nt = next(ax for ax in fig.axes if ax.get_title() == "NT-proBNP (ng/L)")
    assert nt.get_xscale() == "log"


def test_collaboration_gains_subtract_each_sites_own_model():
    import pandas as pd

    table = pd.DataFrame({"A": [0.70, 0.75, 0.80], "B": [0.60, 0.79, 0.78]},
                         index=["local A", "local B", "central"])
    gains = kit.evaluation.collaboration_gains(table, "central")
    assert gains.round(3).to_dict() == {"A": 0.1, "B": -0.01}


def test_show_source_of_a_value_is_refused_in_swedish(swedish):
    from fedlearn_kit.source import show_source

    with pytest.raises(TypeError, match=r"^show_source behöver en modul, funktion eller klass "
                                        r"som är definierad i en fil; fick int"):
        show_source(42)
