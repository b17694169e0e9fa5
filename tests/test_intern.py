"""Interning an identifier column (engine/columns.py): a column read in many batches is
encoded chunk by chunk, never put together first, and must number its values exactly as
the same column in one piece."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from identigraph.engine.columns import intern


@pytest.mark.parametrize("sizes", [[7], [3, 4], [1, 1, 1, 1, 1, 1, 1], [0, 5, 0, 2]])
def test_a_column_in_chunks_interns_as_one_piece(sizes: list[int]) -> None:
    values = ["b@x", None, "a@x", "b@x", "c@x", None, "a@x"]
    chunks, at = [], 0
    for size in sizes:
        chunks.append(pa.array(values[at:at + size], pa.string()))
        at += size
    order = np.array([6, 5, 4, 3, 2, 1, 0])
    codes, uniq = intern(pa.chunked_array(chunks, pa.string()), order)
    whole_codes, whole_uniq = intern(pa.array(values, pa.string()), order)
    assert codes.tolist() == whole_codes.tolist() == [0, -1, 1, 2, 0, -1, 2]
    assert uniq.to_pylist() == whole_uniq.to_pylist() == ["a@x", "c@x", "b@x"]


def test_a_column_of_no_chunks_interns_to_nothing() -> None:
    codes, uniq = intern(pa.chunked_array([], pa.string()), np.zeros(0, np.int64))
    assert len(codes) == 0 and len(uniq) == 0
