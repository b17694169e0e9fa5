"""``identigraph export-state``: a store's state as Parquet files, one per table.

The tables and their columns are the ones every store is written from (engine/state.py
``SCHEMAS``), the same whatever the backend or engine, so analysts can query them with
Spark or DuckDB and two stores can be compared table by table.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from identigraph.engine.state import SCHEMAS
from identigraph.errors import UsageError
from identigraph.graph.store import Store


def export_state(store: Store, folder: Path) -> dict[str, int]:
    """Write ``folder/<table>.parquet`` for each state table; the rows written, by table."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, schema in SCHEMAS.items():
        table = store.state_table(name).select(schema.names).cast(schema)
        pq.write_table(table, folder / f"{name}.parquet")
        written[name] = table.num_rows
    return written
