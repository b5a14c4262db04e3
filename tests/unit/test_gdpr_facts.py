"""The facts file: lessons 05/06 record, lesson 08 and the DPIA read; experiments never mix."""

from __future__ import annotations

import json

import numpy as np
import pytest

import fedlearn_kit as kit
from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import facts as facts_mod

ATTACK = {"attack": "loss threshold", "membership_advantage": 0.04,
          "membership_advantage_ci": [0.01, 0.07], "null_advantage_95": 0.05,
          "attack_members": 300, "attack_non_members": 1200, "model": "logistic"}
DP = {"epsilon": 1.0, "delta": 1e-5, "dp_level": "record", "adjacency": "add-remove",
      "advantage_bound": 0.46, "seeded_noise": True, "dp_covers": "the weights only"}


def test_record_then_load_round_trips_every_agreed_name(tmp_path):
    exp = kit.Experiment()
    path = gdpr.record_facts("what_leaks", exp, path=tmp_path / "f.json", **ATTACK)
    gdpr.record_facts("privacy_defences", exp, path=path, **DP, model="logistic")
    facts = gdpr.load_facts(path)
    assert [m.section for m in facts.measurements] == ["what_leaks", "privacy_defences"]
    leak, dp = facts.measurements
    assert leak.values() == ATTACK
    assert dp.values() == {**DP, "model": "logistic"}
    assert facts.attacks == (leak,) and facts.dp == (dp,)
    assert facts.fingerprint == gdpr.experiment_fingerprint(exp)
    assert [s.name for s in facts.sites] == [p.name for p in exp.sites()]


def test_every_agreed_interface_name_is_stored_and_read_back(tmp_path):
    low_fpr = {"tpr_at_low_fpr": 0.01, "tpr_at_low_fpr_ci": [0.0, 0.03], "low_fpr": 0.001}
    everything = {**ATTACK, **DP, **low_fpr}
    assert len(everything) == 17  # the names of BRIEF interface 1
    path = gdpr.record_facts("what_leaks", kit.Experiment(), path=tmp_path / "f.json",
                             **everything)
    assert gdpr.load_facts(path).measurements[0].values() == everything


def test_recording_a_section_again_merges_its_values(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, tpr_at_low_fpr=0.01,
                      low_fpr=0.001)
    (leak,) = gdpr.load_facts(path).measurements
    assert (leak.membership_advantage, leak.tpr_at_low_fpr) == (0.1, 0.01)


def test_facts_of_another_experiment_are_refused_and_the_file_kept(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(model="mlp"), path=path, **ATTACK | {
        "model": "mlp"})
    before = path.read_text(encoding="utf-8")
    with pytest.raises(gdpr.FactsError, match="model 'mlp' there, 'logistic' here") as err:
        gdpr.record_facts("privacy_defences", kit.Experiment(), path=path, **DP)
    assert "clear_facts" in str(err.value) and "path=" in str(err.value)
    assert path.read_text(encoding="utf-8") == before


def test_another_seed_is_another_experiment_but_other_epochs_are_not(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    gdpr.record_facts("privacy_defences", kit.Experiment(epochs=30, batch_size=16), path=path,
                      epsilon=2.0)
    with pytest.raises(gdpr.FactsError, match="seed 42 there, 7 here"):
        gdpr.record_facts("privacy_defences", kit.Experiment(seed=7), path=path, epsilon=2.0)


def test_facts_without_an_experiment_do_not_mix_with_facts_of_one(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    with pytest.raises(gdpr.FactsError, match="no experiment given"):
        gdpr.record_facts("privacy_defences", None, path=path, epsilon=2.0)


def test_rerunning_the_only_lesson_with_another_experiment_starts_over(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    gdpr.record_facts("what_leaks", kit.Experiment(seed=7), path=path, tpr_at_low_fpr=0.2,
                      low_fpr=0.01)
    facts = gdpr.load_facts(path)
    assert facts.seed == 7 and facts.measurements[0].membership_advantage is None


def test_different_models_in_the_values_are_refused(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", None, path=path, model="mlp", membership_advantage=0.3)
    with pytest.raises(gdpr.FactsError, match="model 'mlp' there, 'logistic' here"):
        gdpr.record_facts("privacy_defences", None, path=path, model="logistic", epsilon=1.0)


def test_a_hand_edited_file_that_mixes_experiments_is_refused_on_loading(tmp_path):
    path = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    gdpr.record_facts("privacy_defences", kit.Experiment(), path=path, epsilon=1.0)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sections"]["privacy_defences"]["fingerprint"] = "0123456789ab"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(gdpr.FactsError, match="mixes facts of different experiments"):
        gdpr.load_facts(path)


@pytest.mark.parametrize(("values", "message"), [
    ({"membership_advantage": 1.5}, "must be in \\[-1, 1\\]"),
    ({"membership_advantage": 0.1, "membership_advantage_ci": [0.2, 0.1]}, "low <= high"),
    ({"attack_members": 0}, "at least 1"),
    ({"adjacency": "neighbouring"}, "adjacency must be one of"),
    ({"seeded_noise": "yes"}, "true or false"),
    ({"delta": 1e-5}, "delta is given without epsilon"),
    ({"tpr_at_low_fpr": 0.1}, "without low_fpr"),
    ({"epsilom": 1.0}, "unknown fact name"),
])
def test_bad_values_are_refused_before_anything_is_written(tmp_path, values, message):
    path = tmp_path / "f.json"
    with pytest.raises(gdpr.FactsError, match=message):
        gdpr.record_facts("what_leaks", kit.Experiment(), path=path, **values)
    assert not path.exists()


def test_numpy_numbers_are_stored_as_plain_json(tmp_path):
    path = gdpr.record_facts("what_leaks", kit.Experiment(), path=tmp_path / "f.json",
                             membership_advantage=np.float64(0.02),
                             membership_advantage_ci=np.array([-0.01, 0.05]),
                             attack_members=np.int64(300), seeded_noise=np.bool_(False))
    values = json.loads(path.read_text(encoding="utf-8"))["sections"]["what_leaks"]["values"]
    assert values == {"membership_advantage": 0.02, "membership_advantage_ci": [-0.01, 0.05],
                      "attack_members": 300, "seeded_noise": False}


def test_a_broken_file_is_reported_and_never_overwritten(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(gdpr.FactsError, match="not valid JSON"):
        gdpr.record_facts("what_leaks", kit.Experiment(), path=path, membership_advantage=0.1)
    assert path.read_text(encoding="utf-8") == "{not json"
    with pytest.raises(gdpr.FactsError, match="not valid JSON"):
        gdpr.load_facts(path)


def test_default_location_env_var_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(facts_mod.FACTS_ENV_VAR, raising=False)
    assert gdpr.facts_path() == facts_mod.Path("fedlearn-facts.json")
    with pytest.raises(gdpr.FactsError, match="Lessons 05 and 06 write it"):
        gdpr.load_facts()
    assert gdpr.load_facts(missing_ok=True) == gdpr.default_facts()
    monkeypatch.setenv(facts_mod.FACTS_ENV_VAR, str(tmp_path / "group.json"))
    written = gdpr.record_facts("what_leaks", kit.Experiment(), membership_advantage=0.1)
    assert written == tmp_path / "group.json"
    gdpr.clear_facts()
    assert not written.exists()


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    gdpr.record_facts("what_leaks", kit.Experiment(), path=tmp_path / "f.json",
                      membership_advantage=0.1)
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_default_facts_describe_the_course_experiment_not_blanks():
    facts = gdpr.default_facts()
    exp = kit.Experiment()
    assert (facts.model, facts.strategy, facts.engine, facts.seed) == (
        exp.model, exp.strategy, "local", exp.seed)
    assert len(facts.sites) == exp.num_sites and facts.measurements == ()


def test_flat_dict_facts_become_one_measurement_and_round_trip():
    facts = gdpr.ExperimentFacts.from_dict({"model": "logistic", **{
        k: v for k, v in ATTACK.items() if k != "model"}, "epsilon": 2.0})
    (given,) = facts.measurements
    assert given.membership_advantage == 0.04 and given.epsilon == 2.0
    assert gdpr.ExperimentFacts.from_dict(facts.as_dict()) == facts
