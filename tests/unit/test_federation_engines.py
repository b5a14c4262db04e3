"""The engine switch: every engine honours timeout and progress; the command line."""

from __future__ import annotations

import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.cli import main
from fedlearn_kit.federation import run

TINY = kit.Experiment(patients_per_site=150, num_rounds=2, seed=2)


@pytest.mark.parametrize("engine", ["local"])  # simulation: tests/integration
def test_every_engine_stops_a_run_that_outlasts_its_timeout(engine: str) -> None:
    with pytest.raises(TimeoutError, match="did not finish within"):
        run(TINY, engine=engine, progress=False, timeout=1e-3)


def test_the_local_engine_shows_progress_only_when_asked(capsys) -> None:
    """The simulation and deployment engines' bars are checked in tests/integration."""
    run(TINY, progress=False)
    assert "round" not in capsys.readouterr().err
    run(TINY, progress=True)
    err = capsys.readouterr().err
    assert "rounds (local)" in err and "2/2" in err


def test_simulation_takes_no_local_only_options() -> None:
    with pytest.raises(TypeError, match="client_app"):
        run(TINY, engine="simulation", client_app=object())


def test_command_line_run_saves_model_and_history(tmp_path, capsys) -> None:
    code = main(["run", "--num-rounds", "2", "--patients-per-site", "150", "--seed", "2",
                 "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "Result(FedAvg, 2 sites, 2 rounds" in out and "AUROC" in out
    saved = torch.load(tmp_path / "model.pt", weights_only=True)
    expected = run(TINY, progress=False).state_dict
    assert all(torch.equal(saved[k], expected[k]) for k in expected)
    assert (tmp_path / "history.csv").read_text().startswith("round,stage,site")


def test_command_line_run_reports_bad_input(capsys) -> None:
    assert main(["run", "--min-sites", "3"]) == 2
    assert "min_sites=3" in capsys.readouterr().err


def test_the_command_line_offers_exactly_the_engines() -> None:
    from fedlearn_kit import cli
    from fedlearn_kit.federation.engines import ENGINES, RUNNERS

    assert cli.ENGINES == ENGINES == tuple(RUNNERS)


def test_debug_shows_the_traceback_instead_of_one_line() -> None:
    with pytest.raises(ValueError, match="min_sites=3"):
        main(["--debug", "run", "--min-sites", "3"])


def test_without_ray_the_simulation_engine_says_how_to_get_it(monkeypatch) -> None:
    import importlib.util

    from fedlearn_kit.federation import simulation

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(simulation.RayMissingError, match="--set simulation") as raised:
        run(TINY, engine="simulation", progress=False)
    assert "engine='local'" in str(raised.value)
    monkeypatch.setattr(simulation.sys, "platform", "win32")
    monkeypatch.setattr(simulation.sys, "version_info", (3, 13, 0))
    with pytest.raises(simulation.RayMissingError, match="no Windows wheels for Python 3.13"):
        simulation.check_ray()


def test_without_ray_a_swedish_session_is_told_in_swedish(monkeypatch, swedish) -> None:
    import importlib.util

    from fedlearn_kit.federation import simulation

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ray" else real(name, *a))
    monkeypatch.setattr(simulation.sys, "platform", "linux")
    with pytest.raises(simulation.RayMissingError,
                       match=r"^engine='simulation' kör Flowers simuleringsmiljö, som behöver "
                             r"Ray, och Ray är inte installerat\. Installera det med"):
        simulation.check_ray()
