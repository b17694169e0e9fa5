"""Event columns as Arrow and numpy arrays, and the one order rules apply in.

The replay and the state rows work on whole columns (``EventTable.column``): these helpers
give the integer arrays the replay kernel reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from identigraph.engine.kernels import first_seen

Column: TypeAlias = Sequence[object] | pa.Array | pa.ChunkedArray | NDArray[np.generic]


def int64_column(col: Column) -> NDArray[np.int64]:
    """An event column of integers (timestamps) as a numpy array."""
    if isinstance(col, pa.ChunkedArray | pa.Array):
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(col, dtype=np.int64)


def intern(values: pa.Array | pa.ChunkedArray,
           order: NDArray[np.integer]) -> tuple[NDArray[np.int32], pa.Array]:
    """Small integers for the values taken in ``order`` (-1 for nulls), numbered by first
    appearance in that order (so the same events give the same numbers in any load order),
    and the distinct values by number. Encoded in table order, then renumbered: the
    values themselves are never copied into that order (~20 MB of emails per 1M events)."""
    dictionary, indices = _encoded(values)
    codes = np.asarray(indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int32)[order]
    old = first_seen(codes, len(dictionary))
    return codes, dictionary.take(pa.array(old))


def _encoded(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array | pa.ChunkedArray]:
    """The distinct values and each value's index among them (nulls stay null). A column
    of chunks is encoded chunk by chunk against one dictionary, which Arrow shares between
    the chunks: the column is never put together first (a copy of it, the peak of a 10M
    load)."""
    encoded = pc.dictionary_encode(values)
    if not isinstance(encoded, pa.ChunkedArray):
        return encoded.dictionary, encoded.indices
    if not encoded.num_chunks:
        return pa.array([], values.type), pa.array([], pa.int32())
    dictionary = encoded.chunks[-1].dictionary
    shared = dictionary.buffers()[1].address
    if any(chunk.dictionary.buffers()[1].address != shared for chunk in encoded.chunks):
        whole = pc.dictionary_encode(values.combine_chunks())  # an Arrow that does not share
        return whole.dictionary, whole.indices
    return dictionary, pa.chunked_array([chunk.indices for chunk in encoded.chunks])


def event_order(ts: NDArray[np.int64], event_id: pa.Array) -> NDArray[np.int64]:
    """Indexes of events sorted by (timestamp, event_id): the one order rules apply in."""
    if not len(ts):
        return np.zeros(0, np.int64)
    table = pa.table({"ts": ts, "id": event_id})
    index = pc.sort_indices(table, sort_keys=[("ts", "ascending"), ("id", "ascending")])
    return np.asarray(index.to_numpy(), dtype=np.int64)


def masked(values: NDArray[np.integer], missing: NDArray[np.bool_]) -> pa.Array:
    """Take indices for Arrow: ``values`` with nulls where ``missing`` (null rows in a take)."""
    if not missing.any():
        return pa.array(values)
    return pa.array(np.where(missing, 0, values), mask=missing)
