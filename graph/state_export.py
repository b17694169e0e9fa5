"""``identigraph export-state``: a store's state as Parquet files, one per table.

The tables and their columns are the ones every store is written from (engine/state.py
``SCHEMAS``), the same whatever the backend or engine, so analysts can query them with
Spark or DuckDB and two stores can be compared table by table: the rows are written in one
fixed order (:data:`ORDER`), so two stores that hold the same state write byte-identical
files whatever their backend and however their events were split into loads.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from identigraph.engine.state import SCHEMAS, StateTables
from identigraph.errors import UsageError
from identigraph.graph.store import Store

#: The folder (inside export-state's) of the ``neo4j-admin database import`` files.
NEO4J_IMPORT = "neo4j-import"
#: The row order of each exported table: its key (an identifier's key, a profile's id, both
#: unique; an edge's or log row's event, by time then id, then its other columns), so the
#: order is total. Stores keep rows in an order of their own (an embedded store by
#: group, one Spark wrote by replay order, Neo4j none), which is not part of the state.
ORDER: dict[str, tuple[str, ...]] = {
    "identifiers": ("key",),
    "edges": ("ts", "event_id", "src", "dst", "rule", "type", "channel", "merges"),
    "profiles": ("profile_id",),
    "log": ("ts", "event_id", "profile_id", "action", "identifier", "other"),
}


def in_order(table: pa.Table, name: str) -> pa.Table:
    """One state table's rows in :data:`ORDER`."""
    return table.take(pc.sort_indices(table, sort_keys=[(c, "ascending") for c in ORDER[name]]))


def export_state(store: Store, folder: Path) -> dict[str, int]:
    """Write ``folder/<table>.parquet`` for each state table; the rows written, by table."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, schema in SCHEMAS.items():
        table = in_order(store.state_table(name).select(schema.names).cast(schema), name)
        pq.write_table(table, folder / f"{name}.parquet")
        written[name] = table.num_rows
    return written


def export_neo4j_import(store: Store, folder: Path) -> list[str]:
    """Write ``folder/neo4j-import/``: the store's state and events as the files of
    ``neo4j-admin database import full`` (a NEW Neo4j database equal to a Bolt load of the
    same store); the command's arguments after the database name, from that folder."""
    from identigraph.graph.neo4j_store.import_files import write_import_files

    ruleset = store.stored_ruleset()
    if ruleset is None:
        raise UsageError(f"{store.location} holds no load to export")
    state = StateTables(store.state_table, ruleset.kind_names())
    return write_import_files(state, store.events(), ruleset, folder / NEO4J_IMPORT)
