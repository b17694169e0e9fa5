"""Event columns as Arrow and numpy arrays, and the one order rules apply in.

The replay and the state rows work on whole columns (``EventTable.column``): these helpers
give the buffers the numba kernels read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

Column: TypeAlias = Sequence[object] | pa.Array | pa.ChunkedArray | NDArray[np.generic]


def int64_column(col: Column) -> NDArray[np.int64]:
    """An event column of integers (timestamps) as a numpy array."""
    if isinstance(col, pa.ChunkedArray | pa.Array):
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(col, dtype=np.int64)


def string_buffers(
    arr: pa.Array,
) -> tuple[NDArray[np.int64], NDArray[np.uint8], NDArray[np.bool_]]:
    """Offsets, UTF-8 bytes and validity of an Arrow string array, as numpy views."""
    n = len(arr)
    bufs = arr.buffers()
    if n == 0 or bufs[1] is None:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.uint8), np.zeros(n, np.bool_)
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(
        0, np.uint8)
    if arr.null_count:
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    else:
        valid = np.ones(n, np.bool_)
    return offsets.astype(np.int64), data, valid


def from_fixed_width(data: NDArray[np.uint8], width: int) -> pa.Array:
    """An Arrow string array of ``len(data) // width`` ASCII strings of ``width`` bytes."""
    n = len(data) // width
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                   pa.py_buffer(data)])


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
