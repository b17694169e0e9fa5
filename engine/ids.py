"""Stable profile ids, derived from the creating event and identifier (BLAKE2b), the same on
every backend: one at a time through hashlib, many at once through the compiled kernel
(engine/hash_kernel.py, the same digest). (Event ids made from a row's content are the
loaders': ``loaders.canonical``.)"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.kernels import blake2b

PROFILE_DIGEST = 8  # bytes: "p_" and 16 hex digits
SLICE = 65_536  # profile ids hashed at a time (bounds the joined texts alive at once)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)


def _profile_id(text: bytes) -> str:
    """The profile id of ``event_id``, ``\x1f`` and the ``kind:value`` key, as bytes."""
    return f"p_{hashlib.blake2b(text, digest_size=PROFILE_DIGEST).hexdigest()}"


def profile_id_for(event_id: str, kind: str, value: str) -> str:
    """The id of a profile created by an event for one identifier; same on every backend."""
    return _profile_id(f"{event_id}\x1f{kind}:{value}".encode())


def profile_ids(creators: pa.Array, keys: Callable[[NDArray[np.integer]], pa.Array],
                key_rows: NDArray[np.integer]) -> pa.Array:
    """:func:`profile_id_for` of many profiles at once: the k-th from the event id
    ``creators[k]`` and the ``kind:value`` key ``keys(key_rows)[k]``. A slice at a time,
    from the join to the hash: a 1M-event replay's peak held every joined text before."""
    parts = []
    for start in range(0, len(creators), SLICE):
        joined = pc.binary_join_element_wise(
            creators.slice(start, SLICE), keys(key_rows[start:start + SLICE]),
            "\x1f").cast(pa.binary())
        if isinstance(joined, pa.ChunkedArray):
            joined = joined.combine_chunks()
        parts.append(_written(blake2b(joined, PROFILE_DIGEST)))
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())


def _written(digests: NDArray[np.uint8]) -> pa.Array:
    """Digests (one row each) as profile ids: ``p_`` and their hex, built as Arrow buffers."""
    n, size = digests.shape
    width = 2 + 2 * size
    text = np.empty((n, width), np.uint8)
    text[:, 0], text[:, 1] = ord("p"), ord("_")
    text[:, 2::2] = _HEX[digests >> 4]
    text[:, 3::2] = _HEX[digests & 15]
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(text)])
