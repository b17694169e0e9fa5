"""Profile ids: the compiled BLAKE2b (engine/hash_kernel.py) that hashes them in bulk gives
hashlib's digest, so ids made one at a time and many at once agree."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pytest

from identigraph.engine import kernels
from identigraph.engine.ids import PROFILE_DIGEST, profile_id_for, profile_ids

#: every length across the block size (128) and its multiples, and a long one
LENGTHS = [*range(0, 300), 383, 384, 385, 1000]


def _messages(seed: int = 7) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in LENGTHS]


@pytest.mark.parametrize("which", ["auto", "numba"])
@pytest.mark.parametrize("size", [1, 8, 32, 64])
def test_the_compiled_blake2b_is_hashlibs(which: str, size: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(kernels.KERNELS_ENV, which)
    kernels._kernels.cache_clear()
    try:
        messages = _messages()
        got = kernels.blake2b(pa.array(messages, pa.binary()), size)
        assert [bytes(row) for row in got] == [hashlib.blake2b(m, digest_size=size).digest()
                                               for m in messages]
        # a slice of an array starts past its buffers' beginning
        part = pa.array(messages, pa.binary()).slice(120, 20)
        assert [bytes(row) for row in kernels.blake2b(part, size)] == [
            hashlib.blake2b(m, digest_size=size).digest() for m in messages[120:140]]
    finally:
        kernels._kernels.cache_clear()


def test_profile_ids_in_bulk_are_the_ids_one_at_a_time() -> None:
    events = [f"evt-{i}" for i in range(70_000)]  # more than one slice of ids
    values = [f"ç{i}@example.com" if i % 3 else "x" * (i % 200) for i in range(70_000)]
    keys = pa.array([f"email:{v}" for v in values])
    creators = pa.chunked_array([events[:30_000], events[30_000:]])  # as a stored column
    rows = np.arange(len(values))
    got = profile_ids(creators, lambda at: keys.take(pa.array(at)), rows).to_pylist()
    want = [profile_id_for(e, "email", v) for e, v in zip(events, values, strict=True)]
    assert got == want
    assert all(len(p) == 2 + 2 * PROFILE_DIGEST for p in got)


def test_nulls_are_not_hashed() -> None:
    with pytest.raises(ValueError, match="not nulls"):
        kernels.blake2b(pa.array([b"a", None], pa.binary()), 8)
