"""Lesson 05's printed sentences, figure labels and exercise feedback come out in the learner's
language (issue 26): English by default, Swedish with FEDLEARN_LANG=sv, numbers unchanged."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import fedlearn_kit as kit  # noqa: E402
from fedlearn_kit.checks import what_leaks  # noqa: E402
from fedlearn_kit.figure_text import description  # noqa: E402
from fedlearn_kit.privacy import attacks, evidence, plots  # noqa: E402


def _results():
    rng = np.random.default_rng(2)
    return {"leaky": attacks.AttackResult("loss threshold", rng.normal(1, 1, 200),
                                          rng.normal(0, 1, 800)),
            "blind": attacks.AttackResult("LiRA (offline)", rng.normal(0, 1, 200),
                                          rng.normal(0, 1, 800))}


def test_evidence_and_comparison_sentences_are_swedish_with_the_same_numbers(swedish):
    leaky, blind = _results().values()
    found = evidence.evidence(leaky, num_permutations=199)
    text = found.sentence()
    assert text.startswith("förlusttröskel: medlemskapsfördel vid bästa tröskel")
    assert "läcker mer än slumpen på 5 %-nivån" in text and "leaks" not in text
    assert f"{found.held_out_advantage:.3f}" in text and f"av {found.members} medlemmar" in text
    table = evidence.evidence_table({"leaky": leaky}, num_permutations=199)
    assert table.loc["leaky", "found_at_low_fpr"].endswith("av 200")
    close = evidence.compare_at_fpr(blind, leaky, 0.01, num_bootstrap=200).sentence()
    assert close.startswith("Vid 1 % FPR hittar i den här körningen LiRA (offline)")
    assert "förlusttröskel" in close and "finds" not in close


def test_a_name_the_kit_does_not_know_is_shown_as_given(swedish):
    found = evidence.evidence(attacks.AttackResult("my attack", np.ones(3) * 2, np.zeros(5)),
                              num_permutations=99)
    assert found.sentence().startswith("my attack: ")


def test_the_lesson_05_figures_label_their_lines_in_swedish(swedish):
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "global model, site B patients":
                           [0.03, 0.02]}, index=[1, 2])
    fig = plots.plot_round_leakage(rounds, baseline={"A": 0.086, "B": 0.034})
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels[:2] == ["sjukhus A:s uppdatering", "global modell, sjukhus B:s patienter"]
    assert fig.axes[0].get_ylabel() == "medlemskapsfördel (TPR − FPR)"
    assert "sjukhus A:s uppdatering" in description(fig)
    sweep = pd.DataFrame({1: [0.0, 0.5], 5: [0.25, 0.6]}, index=[1, 8])
    labels = [line.get_label() for line in plots.plot_reconstruction(sweep).axes[0].lines]
    assert labels == ["1 lokal epok", "5 lokala epoker"]
    roc = plots.plot_attack_roc({"loss threshold": _results()["leaky"]}).axes[0]
    assert roc.get_legend_handles_labels()[1][0].startswith("förlusttröskel (AUC ")


def test_leakage_labels_keep_unknown_columns():
    assert plots.leakage_label("site A update") == "Site A's update"
    assert plots.leakage_label("global model, site B patients") == "global model, Site B's patients"
    assert plots.leakage_label("central") == "central"


def test_describe_target_and_report_recovery_print_whole_sentences(capsys, swedish):
    cohort = kit.generate(2, seed=3, patients_per_site=120)
    splits = kit.split_cohort(cohort, seed=3)
    model = kit.fit_local(splits, kit.Experiment(seed=3))["A"]
    future = kit.future_patients(cohort, 50)["A"]
    attacks.describe_target(model, splits["A"].train, future)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{len(splits['A'].train)} medlemmar, 50 icke-medlemmar."
    assert out[1].startswith(f"Förlust vid träningens slut {model.losses[-1]:.3f}; AUROC ")
    truth = {"w": torch.ones(2, 3), "b": torch.zeros(2)}
    attacks.report_recovery({k: v.numpy() for k, v in truth.items()}, truth, 5)
    assert capsys.readouterr().out.startswith("Sjukhus A återskapade sjukhus B:s modell från "
                                              "runda 5: varje vikt ligger inom 1e-05")
    attacks.report_recovery({"w": np.zeros((2, 3)), "b": np.zeros(2)}, truth, 5)
    assert "återskapade inte" in capsys.readouterr().out
    with pytest.raises(KeyError, match="state dicts"):
        attacks.report_recovery({"w": np.zeros((2, 3))}, truth, 5)


def test_report_recovery_in_english(capsys):
    truth = {"w": torch.ones(2, 3)}
    attacks.report_recovery({"w": np.ones((2, 3))}, truth, 3, own="B", partner="A")
    assert capsys.readouterr().out.startswith("Site B recovered Site A's model of round 3: "
                                              "every weight within 1e-05 of the real one")


def test_report_saved_names_the_file_and_the_evidence(capsys, tmp_path):
    found = evidence.evidence(_results()["leaky"], num_permutations=99)
    evidence.report_saved(tmp_path / "fedlearn-facts.json", found)
    assert capsys.readouterr().out == f"Saved to fedlearn-facts.json: {found.sentence()}\n"


def test_the_checks_give_swedish_feedback_and_still_refuse_wrong_answers(capsys, swedish):
    r = _results()["leaky"]
    assert what_leaks.advantage(np.max(r.tpr - r.fpr), r)
    assert "✅" in capsys.readouterr().out
    assert not what_leaks.advantage(np.max(r.fpr - r.tpr), r)
    out = capsys.readouterr().out
    assert "subtraktionen går åt fel håll" in out and "wrong way round" not in out
    assert not what_leaks.tpr_at_fpr(0.5, r)
    assert "är inte TPR vid 1 % FPR" in capsys.readouterr().out
    results = _results()
    assert not what_leaks.beyond_chance({"leaky": "ja", "blind": "nej"}, results)
    assert "True eller False" in capsys.readouterr().out


def test_the_anonymity_test_reads_a_swedish_reason(capsys, swedish):
    results = _results()
    found = evidence.evidence(results["leaky"])
    answer = {"attacks_tried": ["förlusttröskelattacken", "rekonstruktion ur en uppdatering"],
              "leaks_beyond_chance": True, "single_record_update_readable": True,
              "means_reasonably_likely": True, "conclusion": "personal data",
              "reason": "Förlustattacken hittar medlemmar mer än slumpen, med hjälpmedel som "
                        "varje sjukhus har."}
    assert what_leaks.anonymity_test(answer, found, 0.0)
    assert "slutsats: personuppgifter" in capsys.readouterr().out
    safe = {**answer, "reason": "Modellen är anonym eftersom ingen attack lyckades särskilt bra."}
    assert not what_leaks.anonymity_test(safe, found, 0.0)
    assert "hävdar att modellen är säker" in capsys.readouterr().out
    unnamed = {**answer, "attacks_tried": ["något", "annat"]}
    assert not what_leaks.anonymity_test(unnamed, found, 0.0)


def test_the_note_for_the_dpia_is_in_the_learners_language(swedish):
    found = evidence.evidence(_results()["leaky"], num_permutations=99)
    note = evidence.overfitted_note(found)
    assert note.startswith("Sjukhus A:s överanpassade lokala modell, angripen med modellens ")
    assert note.endswith(found.sentence())
