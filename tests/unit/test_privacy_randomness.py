"""DP-SGD's randomness: a ChaCha20 stream keyed from the OS, or from the whole public seed."""

from __future__ import annotations

import numpy as np
import pytest

from fedlearn_kit.privacy.randomness import SecurePoissonSampler, SecureStream


def test_default_streams_never_repeat_and_seeded_ones_use_every_bit_of_the_seed():
    assert SecureStream.from_os().random_bytes(32) != SecureStream.from_os().random_bytes(32)
    same = [SecureStream.from_seed(42, "noise").random_bytes(32) for _ in range(2)]
    assert same[0] == same[1]
    for other in (42 + 2 ** 32, 42 + 2 ** 64, -42, 43):
        assert SecureStream.from_seed(other, "noise").random_bytes(32) != same[0]
    assert SecureStream.from_seed(42, "sampling").random_bytes(32) != same[0]
    assert "OS entropy" in repr(SecureStream.from_os())
    with pytest.raises(TypeError, match="whole number"):
        SecureStream.from_seed(4.2, "noise")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="32 bytes"):
        SecureStream(b"short")


def test_the_stream_continues_rather_than_restarting():
    stream = SecureStream.from_seed(1, "x")
    first, second = stream.random_bytes(64), stream.random_bytes(64)
    assert first != second
    assert SecureStream.from_seed(1, "x").random_bytes(128) == first + second


def test_uniforms_and_normals_have_the_right_distribution():
    stream = SecureStream.from_seed(3, "test")
    u = stream.uniform(200_000)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.003
    z = stream.normal(200_000, std=2.0)
    assert abs(z.mean()) < 0.015 and z.std() == pytest.approx(2.0, rel=0.01)
    assert abs(np.mean(z ** 3)) < 0.1  # symmetric
    assert np.mean(np.abs(z) > 2 * 1.96) == pytest.approx(0.05, abs=0.003)  # Gaussian tails
    assert len(stream.normal(7, 1.0)) == 7


def test_poisson_batches_include_each_record_at_the_rate():
    sampler = SecurePoissonSampler(200, 0.1, SecureStream.from_seed(5, "s"), steps=400)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 400
    sizes = np.array([len(b) for b in batches])
    assert sizes.mean() == pytest.approx(20, rel=0.05)
    counts = np.bincount(np.concatenate(batches), minlength=200)
    assert counts.mean() == pytest.approx(40, rel=0.05) and counts.min() > 10
    assert len(SecurePoissonSampler(10, 0.25, SecureStream.from_os())) == 4
    with pytest.raises(ValueError, match="rate"):
        SecurePoissonSampler(10, 0.0, SecureStream.from_os())
