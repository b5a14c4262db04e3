"""Site profiles beyond the eight presets: a workshop room of 20-32 laptops."""

import pytest

import fedlearn_kit as kit
from fedlearn_kit.sites import (
    MAX_SITES,
    NUM_PRESETS,
    default_sites,
    generated_profile,
    profiles_table,
    site_name,
)


def test_site_names_run_a_to_z_then_two_letters():
    assert [site_name(i) for i in (0, 1, 7, 25, 26, 27, 51, 52)] == [
        "A", "B", "H", "Z", "AA", "AB", "AZ", "BA"]
    with pytest.raises(ValueError, match="from 0"):
        site_name(-1)


def test_the_lessons_presets_are_unchanged_by_larger_rooms():
    assert default_sites(NUM_PRESETS) == default_sites(32)[:NUM_PRESETS]
    assert [s.name for s in default_sites(NUM_PRESETS)] == list("ABCDEFGH")
    assert default_sites(1)[0].description.startswith("County hospital")


def test_generated_profiles_are_deterministic_distinct_and_inside_the_presets_ranges():
    presets = default_sites(NUM_PRESETS)
    generated = default_sites(32)[NUM_PRESETS:]
    assert generated == tuple(generated_profile(i) for i in range(NUM_PRESETS, 32))
    assert len({(s.age_mean, s.num_patients) for s in generated}) == len(generated)
    for field in ("age_mean", "female_fraction", "severity_shift", "baseline_log_odds",
                  "ntprobnp_assay_factor"):
        low = min(getattr(s, field) for s in presets)
        high = max(getattr(s, field) for s in presets)
        assert all(low - 0.01 <= getattr(s, field) <= high + 0.01 for s in generated), field
    assert all(250 <= s.num_patients <= 2400 for s in generated)


def test_a_32_site_experiment_generates_valid_data_for_every_site():
    exp = kit.Experiment(num_sites=32)
    cohort = exp.cohort()
    assert list(cohort) == [site_name(i) for i in range(32)]
    for site, df in cohort.items():
        kit.validate(df, site=site)
    with pytest.raises(ValueError, match=f"1-{MAX_SITES}"):
        kit.Experiment(num_sites=MAX_SITES + 1)


def test_the_local_engine_trains_a_20_site_federation():
    exp = kit.Experiment(num_sites=20, num_rounds=1, local_epochs=1)
    result = kit.federation.run(exp, progress=False)
    sites = set(result.history["site"])
    assert {site_name(i) for i in range(20)} <= sites


def test_a_generated_site_is_described_in_the_sessions_language(swedish):
    table = profiles_table(default_sites(9))
    assert table.loc["I", "beskrivning"] == "Genererat sjukhus I"
    assert profiles_table(default_sites(9)).columns[0] == "beskrivning"
