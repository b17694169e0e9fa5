"""Small Arrow helpers shared by the loaders and the stores."""

from __future__ import annotations

import pyarrow as pa


def as_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array; a column of one chunk is taken as it is (``combine_chunks``
    would copy it)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column
