"""Stable ids: profile ids derived from the creating event, event ids from row content."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray


def profile_id_for(event_id: str, kind: str, value: str) -> str:
    """The id of a profile created by an event for one identifier; same on every backend."""
    digest = hashlib.blake2b(f"{event_id}\x1f{kind}:{value}".encode(), digest_size=8).hexdigest()
    return f"p_{digest}"


def profile_ids(creators: pa.Array, keys: pa.Array, key_rows: NDArray[np.int64]) -> pa.Array:
    """:func:`profile_id_for` of many profiles at once: the k-th from the event id
    ``creators[k]`` and the ``kind:value`` key ``keys[key_rows[k]]`` (a compiled BLAKE2b:
    a million ids in a few tenths of a second rather than a second)."""
    from identigraph.engine.blake2b_kernel import hex_ids, joined_digests  # numba: when used
    from identigraph.engine.columns import from_fixed_width, string_buffers

    digests = joined_digests(string_buffers(creators)[:2], np.arange(len(creators)), 0x1F,
                             string_buffers(keys)[:2], key_rows)
    return from_fixed_width(hex_ids(digests, b"p_"), 18)


def content_event_id(prefix: str, parts: list[str]) -> str:
    """An event id from a row's content, so reloading the same row adds nothing."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()
    return f"{prefix}:{digest}"
