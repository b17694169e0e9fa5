"""What Neo4j stores of a column's values: it stores no null, so a value it would store
for nothing is turned into one (the Bolt batches and the neo4j-admin import files alike)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def no_empty(array: pa.Array) -> pa.Array:
    """A list column with empty lists as nulls: Neo4j would store ``[]``, and a property it
    does not store costs nothing to write."""
    empty = pc.equal(pc.list_value_length(array), 0)
    if array.null_count:
        empty = pc.or_kleene(empty, array.is_null())
    return pa.ListArray.from_arrays(array.offsets, array.values, mask=empty)
