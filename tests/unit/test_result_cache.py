"""The test run's result cache: off unless asked, keyed by everything that changes a result,
and a cached model is the model (fedlearn_kit.result_cache)."""

from __future__ import annotations

import pickle

import pytest
import torch

from fedlearn_kit import result_cache, training
from fedlearn_kit.experiment import Experiment


@pytest.fixture
def counted():
    calls = []

    @result_cache.cached
    def square(x, *, offset=0):
        calls.append(x)
        return {"value": x * x + offset}

    return square, calls


def test_nothing_is_cached_without_the_variable(counted, monkeypatch, tmp_path):
    square, calls = counted
    monkeypatch.delenv(result_cache.ENV_VAR, raising=False)
    assert square(3) == square(3) == {"value": 9}
    assert calls == [3, 3]
    assert list(tmp_path.iterdir()) == []


def test_a_second_call_loads_the_first_calls_result(counted, monkeypatch, tmp_path):
    square, calls = counted
    monkeypatch.setenv(result_cache.ENV_VAR, str(tmp_path))
    assert square(3) == {"value": 9}
    assert square(3) == {"value": 9}
    assert calls == [3]
    assert square(3, offset=1) == {"value": 10} and square(4) == {"value": 16}
    assert calls == [3, 3, 4]  # other arguments: other results
    assert len(list(tmp_path.glob("*.pickle"))) == 3


def test_another_kit_source_or_thread_count_is_another_key(counted, monkeypatch, tmp_path):
    square, calls = counted
    monkeypatch.setenv(result_cache.ENV_VAR, str(tmp_path))
    square(3)
    monkeypatch.setattr(result_cache, "source_fingerprint", lambda: b"an edited kit")
    square(3)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(threads + 1)
        square(3)
    finally:
        torch.set_num_threads(threads)
    assert calls == [3, 3, 3]


def test_a_torn_file_is_computed_again_and_odd_arguments_run_uncached(counted, monkeypatch,
                                                                     tmp_path):
    square, calls = counted
    monkeypatch.setenv(result_cache.ENV_VAR, str(tmp_path))
    square(3)
    (stored,) = tmp_path.glob("*.pickle")
    stored.write_bytes(stored.read_bytes()[:5])
    assert square(3) == {"value": 9} and calls == [3, 3]
    assert pickle.loads(stored.read_bytes()) == {"value": 9}

    class Number(int):  # a local class cannot be pickled, so it cannot be a key
        pass

    assert square(Number(2)) == {"value": 4} and square(Number(2)) == {"value": 4}
    assert calls == [3, 3, 2, 2]


def test_a_cached_model_is_the_model(monkeypatch, tmp_path):
    assert "fedlearn_kit.training.fit" in result_cache.WRAPPED
    exp = Experiment(seed=3, epochs=2)
    train_df = exp.cohort()["A"]
    monkeypatch.delenv(result_cache.ENV_VAR, raising=False)
    fresh = training.fit(train_df, exp, "local A")
    monkeypatch.setenv(result_cache.ENV_VAR, str(tmp_path))
    first, second = (training.fit(train_df, exp, "local A") for _ in range(2))
    assert len(list(tmp_path.glob("fit-*.pickle"))) == 1
    for model in (first, second):
        assert model.losses == fresh.losses and model.name == "local A"
        for name, weight in fresh.net.state_dict().items():
            assert torch.equal(model.net.state_dict()[name], weight)


def test_stored_outputs_and_the_cross_cpu_test_never_use_the_cache():
    from tools import authoring

    env = authoring.kernel_env("native", base={result_cache.ENV_VAR: "/tmp/cache", "A": "1"})
    assert result_cache.ENV_VAR not in env and env["A"] == "1"
