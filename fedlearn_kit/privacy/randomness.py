"""Where DP-SGD's randomness comes from: a ChaCha20 stream keyed from the OS (lesson 06).

An ε holds only if nobody can regenerate the noise or the Poisson sampling. torch's and
numpy's default generators are Mersenne Twisters (MT19937): fast and statistically good,
but not cryptographically secure (their output reveals their state), and
``torch.Generator.manual_seed`` keeps only 32 bits of a seed, so two seeds that differ
only above bit 32 give the same stream. Opacus's ``secure_mode`` would fix this with
``torchcsprng``, which is no longer maintained and not built for the course's torch.

:class:`SecureStream` draws from **ChaCha20** (Bernstein 2008; RFC 8439), a stream cipher
whose keystream is a cryptographically secure pseudorandom generator, through the
``cryptography`` package (OpenSSL):

- **by default** its 256-bit key comes from the operating system's CSPRNG
  (:func:`secrets.token_bytes`) and is never stored or printed, so no two runs share
  noise and nobody, including the person who ran it, can replay it;
- **the classroom switch** (:meth:`SecureStream.from_seed`) derives the key with SHA-256
  from the *whole* public seed and a purpose label, so the numbers repeat for everyone in
  the room, seeds that differ anywhere (also only in high bits) give different streams, and
  anyone who knows the seed can replay the noise (so the ε does not hold).

Gaussian noise is made from the keystream by the Box-Muller transform in float64, and
each noise value is the sum of four such normals divided by two: Opacus's defence against
floating-point attacks on the noise (Holohan and Braghin 2021, section 5.1; attack:
Jin et al., IEEE S&P 2022). What this does **not** give: it mitigates rather than rules out
floating-point attacks (only discrete noise does: Canonne, Kamath and Steinke, NeurIPS
2020), it does nothing about timing side channels, and it covers only DP-SGD in this kit;
Flower's ``LocalDpMod`` and DP strategy wrappers draw from numpy's global MT19937 (see
``fedlearn_kit.privacy.coordinator``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator

import numpy as np
import torch
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from torch.utils.data import Sampler

_KEY_BYTES = 32  # ChaCha20's 256-bit key
_NONCE = bytes(16)  # one fixed nonce per key: every key is used for one stream only
_TWO_TO_MINUS_53 = 2.0 ** -53


class SecureStream:
    """Uniform and Gaussian numbers from a ChaCha20 keystream (see the module docstring)."""

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) != _KEY_BYTES:
            raise ValueError(f"A ChaCha20 key is {_KEY_BYTES} bytes, got {key!r:.40}.")
        self._encryptor = Cipher(algorithms.ChaCha20(key, _NONCE), mode=None).encryptor()
        self.seeded = False  # True for the classroom switch: the stream can be replayed

    def __repr__(self) -> str:  # never show the key
        return f"SecureStream({'seeded from a public seed' if self.seeded else 'OS entropy'})"

    @classmethod
    def from_os(cls) -> SecureStream:
        """A stream keyed with 256 bits from the operating system's CSPRNG (the default)."""
        return cls(secrets.token_bytes(_KEY_BYTES))

    @classmethod
    def from_seed(cls, seed: int, purpose: str) -> SecureStream:
        """The classroom switch: a replayable stream from the whole ``seed`` and a label.

        The key is SHA-256 of the label and the seed's full decimal digits, so every bit of
        the seed counts, and different ``purpose`` labels (e.g. "noise", "sampling", a draw
        number) give independent streams.
        """
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(f"seed must be a whole number, got {seed!r}.")
        digest = hashlib.sha256(f"fedlearn-kit DP-SGD {purpose} {int(seed)}".encode()).digest()
        stream = cls(digest)
        stream.seeded = True
        return stream

    def random_bytes(self, count: int) -> bytes:
        """The next ``count`` bytes of the keystream."""
        if count < 0:
            raise ValueError(f"count={count}: need a number of bytes >= 0.")
        return self._encryptor.update(bytes(count))

    def uniform(self, count: int) -> np.ndarray:
        """``count`` floats uniform on [0, 1), each from 53 random bits."""
        words = np.frombuffer(self.random_bytes(8 * count), dtype="<u8")
        return (words >> np.uint64(11)).astype(np.float64) * _TWO_TO_MINUS_53

    def _standard_normal(self, count: int) -> np.ndarray:
        # Box-Muller: two uniforms give two independent standard normals. 1 - u lies in
        # (0, 1], so the logarithm is finite.
        pairs = (count + 1) // 2
        u = self.uniform(2 * pairs).reshape(2, pairs)
        radius = np.sqrt(-2.0 * np.log1p(-u[0]))
        angle = 2.0 * np.pi * u[1]
        return np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:count]

    def normal(self, count: int, std: float) -> np.ndarray:
        """``count`` Gaussian values with standard deviation ``std`` (sum of four, halved)."""
        if std < 0:
            raise ValueError(f"std={std}: a standard deviation is >= 0.")
        total = self._standard_normal(4 * count).reshape(4, count).sum(axis=0)
        return std * total / 2.0

    def normal_like(self, reference: torch.Tensor, std: float) -> torch.Tensor:
        """Gaussian noise with the shape, dtype and device of ``reference``."""
        values = self.normal(reference.numel(), std).reshape(tuple(reference.shape))
        return torch.from_numpy(values).to(dtype=reference.dtype, device=reference.device)


class SecurePoissonSampler(Sampler[list[int]]):
    """Poisson sampling for DP-SGD: each record joins each batch with probability ``rate``.

    The same sampling as Opacus's ``UniformWithReplacementSampler`` (``steps`` batches per
    pass, default ``int(1 / rate)``; a batch may be empty), with the coin flips drawn from a
    :class:`SecureStream` instead of a torch generator.
    """

    def __init__(self, num_records: int, rate: float, stream: SecureStream,
                 steps: int | None = None) -> None:
        if num_records < 1:
            raise ValueError(f"num_records={num_records}: need at least one record.")
        if not 0 < rate <= 1:
            raise ValueError(f"rate={rate}: a sampling rate is in (0, 1].")
        self.num_records, self.rate, self.stream = num_records, rate, stream
        self.steps = int(1 / rate) if steps is None else steps

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[list[int]]:
        for _ in range(self.steps):
            yield np.flatnonzero(self.stream.uniform(self.num_records) < self.rate).tolist()
