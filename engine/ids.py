"""Stable profile ids, derived from the creating event and identifier (BLAKE2b through
hashlib), the same on every backend. (Event ids made from a row's content are the loaders':
``loaders.canonical``.)"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

PROFILE_DIGEST = 8  # bytes: "p_" and 16 hex digits
SLICE = 65_536  # profile ids hashed at a time (bounds the Python objects alive at once)


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
        parts.append(pa.array([_profile_id(text) for text in joined.to_pylist()], pa.string()))
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())
