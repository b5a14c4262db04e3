import pytest

import fedlearn_kit as kit
from fedlearn_kit import environment
from fedlearn_kit.sites import MAX_SITES
from tests.helpers import PYTHONS, TORCH, pinned


def test_from_parameters_takes_known_names_only():
    exp = kit.Experiment.from_parameters({"seed": 3, "lr": 0.05, "unrelated": "x"})
    assert exp.seed == 3 and exp.lr == 0.05


@pytest.mark.parametrize("bad, message", [
    ({"model": "forest"}, "model must be one of"),
    ({"num_sites": 0}, f"num_sites must be 1-{MAX_SITES}"),
    ({"test_fraction": 1.5}, "test_fraction"),
    ({"strategy": "fedsgd"}, "strategy"),
    ({"hidden": 0}, "hidden must be at least 1"),
])
def test_wrong_values_are_explained(bad, message):
    with pytest.raises(ValueError, match=message):
        kit.Experiment(**bad)


def test_replace_changes_the_named_settings_and_checks_them_again():
    exp = kit.Experiment(model="mlp", hidden=64, seed=3)
    narrow = exp.replace(hidden=16)
    assert (narrow.hidden, narrow.model, narrow.seed, exp.hidden) == (16, "mlp", 3, 64)
    with pytest.raises(ValueError, match="hidden"):
        exp.replace(hidden=0)


def test_experiment_generates_its_sites():
    exp = kit.Experiment(num_sites=3, patients_per_site=100)
    assert [len(df) for df in exp.cohort().values()] == [100, 100, 100]


def test_pins_are_read_from_the_installed_metadata():
    pins = environment.pinned_versions()
    assert pins["torch"] == TORCH and pins["flwr"] == pinned("flwr")


def test_version_report_flags_a_mismatch(monkeypatch, capsys):
    assert kit.check_environment() is True
    monkeypatch.setattr(environment, "installed_version",
                        lambda p: "0.0.1" if p == "pandas" else f"{TORCH}+cpu")
    rows, warnings = environment.version_report()
    assert any("pandas 0.0.1 differs" in w for w in warnings)
    assert any("python course.py lab" in w for w in warnings)
    assert not any("Python" in w for w in warnings)  # this Python is a supported one
    monkeypatch.setattr(environment.sys, "version_info", (3, PYTHONS[0][1] - 1, 9))  # too old
    rows, warnings = environment.version_report()
    supported = ", ".join(f"{a}.{b}" for a, b in PYTHONS)
    assert any(f"not one the course supports ({supported})" in w for w in warnings)
