"""The simulation engine (Ray) honours the timeout as every engine does (tests/unit: local)."""

from __future__ import annotations

import pytest

import fedlearn_kit as kit
from fedlearn_kit.federation import run

TINY = kit.Experiment(patients_per_site=150, num_rounds=2, seed=2)


@pytest.mark.parametrize("engine", ["simulation"])
def test_every_engine_stops_a_run_that_outlasts_its_timeout(engine: str) -> None:
    with pytest.raises(TimeoutError, match="did not finish within"):
        run(TINY, engine=engine, progress=False, timeout=1e-3)
