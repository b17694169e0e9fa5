"""Stable ids: profile ids derived from the creating event, event ids from row content
(BLAKE2b through hashlib, one function per kind of id)."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

PROFILE_DIGEST = 8  # bytes: "p_" and 16 hex digits
EVENT_DIGEST = 10  # bytes: "PREFIX:" and 20 hex digits
SLICE = 65_536  # profile ids hashed at a time (bounds the Python objects alive at once)


def profile_id_for(event_id: str, kind: str, value: str) -> str:
    """The id of a profile created by an event for one identifier; same on every backend."""
    blake = hashlib.blake2b(f"{event_id}\x1f{kind}:{value}".encode(), digest_size=PROFILE_DIGEST)
    return f"p_{blake.hexdigest()}"


def profile_ids(creators: pa.Array, keys: pa.Array, key_rows: NDArray[np.int64]) -> pa.Array:
    """:func:`profile_id_for` of many profiles at once: the k-th from the event id
    ``creators[k]`` and the ``kind:value`` key ``keys[key_rows[k]]``. A slice at a time,
    from the join to the hash: a 1M-event replay's peak held every joined text before."""
    blake = hashlib.blake2b
    parts = []
    for start in range(0, len(creators), SLICE):
        joined = pc.binary_join_element_wise(
            creators.slice(start, SLICE), keys.take(pa.array(key_rows[start:start + SLICE])),
            "\x1f").cast(pa.binary())
        parts.append(pa.array([f"p_{blake(text, digest_size=PROFILE_DIGEST).hexdigest()}"
                               for text in joined.to_pylist()], pa.string()))
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())


def content_event_id(prefix: str, parts: list[str]) -> str:
    """An event id from a row's content, so reloading the same row adds nothing (the
    loaders make many at once with ``loaders._columns.row_digests``)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=EVENT_DIGEST).hexdigest()
    return f"{prefix}:{digest}"
