import numpy as np
import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.cohort import generate_site, true_log_odds
from fedlearn_kit.schema import COLUMN_NAMES
from fedlearn_kit.sites import MAX_SITES, default_sites


def test_same_seed_same_patients_and_other_seed_differs():
    a, b, c = kit.generate(seed=1), kit.generate(seed=1), kit.generate(seed=2)
    pd.testing.assert_frame_equal(a["B"], b["B"])
    assert not a["B"].equals(c["B"])


def test_adding_a_site_leaves_existing_sites_unchanged():
    two, three = kit.generate(2, seed=3), kit.generate(3, seed=3)
    pd.testing.assert_frame_equal(two["A"], three["A"])
    pd.testing.assert_frame_equal(two["B"], three["B"])


def test_generated_data_passes_validation_for_every_preset_site():
    cohort = kit.generate(MAX_SITES, seed=5)
    assert list(cohort) == [s.name for s in default_sites(MAX_SITES)]
    for site, df in cohort.items():
        assert list(df.columns) == list(COLUMN_NAMES)
        kit.validate(df, site=site)


def test_too_many_sites_is_refused_with_the_range():
    with pytest.raises(ValueError, match=f"1 to {MAX_SITES}"):
        kit.generate(MAX_SITES + 1)


def test_sites_differ_in_size_case_mix_prevalence_and_assay():
    cohort = kit.generate(seed=11, patients_per_site=20_000)
    a, b = cohort["A"], cohort["B"]
    assert a["age"].mean() > b["age"].mean() + 4  # county hospital patients are older
    assert b["readmitted_30d"].mean() > a["readmitted_30d"].mean() + 0.03
    # Site B's assay reads high: same severity mix would not explain a ratio this large.
    assert b["nt_probnp"].median() / a["nt_probnp"].median() > 1.3
    default = kit.generate(seed=11)
    assert len(default["B"]) > 5 * len(default["A"])


def test_outcome_follows_the_documented_ground_truth():
    profile = default_sites(1, 50_000)[0]
    df = generate_site(profile, seed=3, site_index=0)
    features = {c: df[c].to_numpy(dtype=float) for c in kit.FEATURE_NAMES if c != "sex"}
    features["sex"] = (df["sex"] == "F").to_numpy(dtype=float)
    expected = 1 / (1 + np.exp(-true_log_odds(features, profile.baseline_log_odds)))
    # Site A's assay factor is 1.0, so observed values are the true ones.
    assert abs(expected.mean() - df["readmitted_30d"].mean()) < 0.01


def test_pseudonyms_are_unique_and_never_look_like_personnummer():
    cohort = kit.generate(3, seed=42)
    ids = cohort.pooled()["patient_id"]
    assert ids.is_unique
    assert ids.str.match(r"^SYN-[A-H]-\d{6}$").all()
    assert not ids.map(kit.looks_like_personnummer).any()


def test_future_patients_are_new_people_from_the_same_profiles():
    cohort = kit.generate(seed=4)
    future = kit.future_patients(cohort, num_patients=3000)
    assert set(future) == set(cohort) and len(future["A"]) == 3000
    assert not set(future["A"]["patient_id"]) & set(cohort["A"]["patient_id"])
    assert abs(future["A"]["age"].mean() - cohort["A"]["age"].mean()) < 2.5


def test_future_patients_need_a_generated_cohort(tmp_path):
    kit.write_cohort(kit.generate(seed=1), tmp_path)
    with pytest.raises(ValueError, match="generate"):
        kit.future_patients(kit.load_cohort(tmp_path))


def test_summary_has_one_row_per_site():
    summary = kit.generate(seed=1).summary()
    assert list(summary.index) == ["A", "B"]
    assert summary.loc["A", "patients"] == 300
