"""The guard of the unit tier (tests/unit/conftest.py) fails a test that starts a process."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from tests.unit.conftest import StartsAProcessError


@pytest.mark.parametrize("start", [
    lambda: subprocess.run([sys.executable, "-c", "pass"], check=False),
    lambda: subprocess.Popen([sys.executable, "-c", "pass"]),
    lambda: os.system("true"),
    lambda: multiprocessing.get_context("spawn").Process(target=print).start(),
], ids=["subprocess.run", "Popen", "os.system", "multiprocessing"])
def test_starting_a_process_is_refused_with_where_the_test_belongs(
        start, no_process_started: list[str]) -> None:
    with pytest.raises(StartsAProcessError, match="Move this test to tests/integration"):
        start()
    assert no_process_started, "the attempt was not recorded"
    no_process_started.clear()  # this test started nothing: let its teardown pass


def test_a_test_that_swallows_the_refusal_still_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.unit.conftest import no_process_started  # noqa: F401")
    pytester.makepyfile(test_hides_its_process=textwrap.dedent("""
        import subprocess, sys

        def test_quietly_starts_one():
            try:
                subprocess.run([sys.executable, "-c", "pass"])
            except Exception:
                pass

        def test_starts_none():
            assert sum([1, 2]) == 3
    """))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*subprocess.Popen*Move this test to tests/integration*"])
