"""What lesson 02 prints is in the course's language: the split sizes, the losses, a model
difference, the sample rates, the tables it shows, its figure labels and exercise 2's
feedback; the tables the lesson's code indexes keep their English labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import fedlearn_kit as kit
from fedlearn_kit import evaluation, plots
from fedlearn_kit.checks import local_models


@pytest.fixture(scope="module")
def trained(small_experiment):
    cohort = small_experiment.cohort()
    splits = kit.split_cohort(cohort, 0.25, small_experiment.seed)
    return cohort, splits, kit.fit_local(splits, small_experiment)


def test_the_split_and_loss_reports_give_each_sites_numbers(swedish, trained, capsys):
    _cohort, splits, local = trained
    evaluation.report_splits(splits)
    evaluation.report_losses(local)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [f"Sjukhus {s}: {len(p.train)} patienter att träna på, {len(p.test)} "
                         f"att testa på." for s, p in splits.items()]
    first, last = local["A"].losses[0], local["A"].losses[-1]
    assert lines[2] == (f"local A: förlust (loss) {first:.3f} efter den första epoken, "
                        f"{last:.3f} efter den sista.")


def test_the_difference_and_sample_rates_reports_quote_their_numbers(english, trained,
                                                                     capsys):
    cohort, _splits, local = trained
    diff = evaluation.Difference(value=-0.034, low=-0.044, high=-0.024)
    evaluation.report_difference(diff, "local A", "local B", site="A")
    future = kit.future_patients(cohort, num_patients=500)
    samples = np.array([0.1, 0.2, 0.3, 0.4])
    evaluation.report_sample_rates(cohort, future, "A", samples)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("On Site A's future patients, local A minus local B: -0.034 (95 % "
                      "interval -0.044 to -0.024) AUROC.")
    own = cohort["A"]["readmitted_30d"].mean()
    assert out[1].startswith(f"Site A's own {len(cohort['A'])} patients: {own:.1%} readmitted.")
    assert f"{np.mean(samples <= own):.0%} of them are as low as Site A's." in out[2]
    assert "4 other samples" in out[2]


def test_readable_translates_labels_for_display_and_leaves_the_original(trained):
    cohort, splits, local = trained
    report = kit.site_report(local, splits)
    shown = evaluation.readable(report, lang="sv")
    assert list(shown.columns) == ["testpatienter", "återinlagda", "AUROC", "95 % nedre",
                                   "95 % övre", "Brier"]
    assert "95% low" in report.columns and (shown.to_numpy() == report.to_numpy()).all()
    groups = evaluation.readable(kit.subgroup_scores(local["B"], cohort["B"]), lang="sv")
    assert set(groups["grupp"]) == {"kön", "åldersgrupp"} and set(groups["värde"]) >= {"F", "M"}
    assert evaluation.readable(report, lang="en").equals(report)


def test_figure_titles_and_labels_follow_the_language(swedish, trained):
    cohort, _splits, local = trained
    assert plots.future_patients_title("A") == "På sjukhus A:s framtida patienter"
    fig = plots.plot_reliability(local, cohort["A"], title=plots.future_patients_title("A"))
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("genomsnittlig förutsagd risk",
                                                  "observerad andel")
    plt.close(fig)
    table = kit.compare(local, cohort)
    fig = plots.plot_comparison(table, intervals=kit.evaluation.auroc_intervals(local, cohort))
    ax = fig.axes[0]
    assert ax.get_title() == "AUROC för varje modell" and ax.get_ylabel() == "AUROC (0.5 = slump)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Sjukhus A:s patienter",
                                                             "Sjukhus B:s patienter"]
    assert "95 %-intervall" in [t.get_text() for t in ax.get_legend().get_texts()][-1:]
    plt.close(fig)


def test_exercise_2_feedback_is_swedish_and_still_names_the_slip(swedish, trained, capsys):
    _cohort, splits, local = trained
    test = splits["B"].test
    y, y_hat = test["readmitted_30d"].to_numpy(), local["B"].predict_proba(test)
    assert local_models.brier(float(np.mean((y_hat - y) ** 2)), local["B"], test)
    assert "Rätt. Brier-poäng" in capsys.readouterr().out
    assert not local_models.brier(float(np.mean((y_hat - y) ** 2)) ** 0.5, local["B"], test)
    assert "kvadratroten ur Brier-poängen" in capsys.readouterr().out
    assert not local_models.subgroup_auroc({"F": 0.5}, local["B"], test)
    assert "väntade en dict med nycklarna 'F' och 'M'" in capsys.readouterr().out
