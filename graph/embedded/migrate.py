"""Stores written by earlier versions: brought up to this version's schema when opened, or
refused in one line saying what to do (a store from a newer identigraph, an 0.1 SQLite
file: graph/embedded/store.py).

``meta.schema_version`` says which tables and columns a store has. Each step below takes a
store from one version to the next by adding what it lacks, so that this version reads and
writes it. ``lookup`` (graph/embedded/layout.py) is written afresh last whenever a step ran
or it was written with another DuckDB's ``hash()``.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from identigraph.errors import StoreError
from identigraph.graph.embedded.layout import hash_probe, rebuild_lookup, resort
from identigraph.graph.embedded.memory import working_memory
from identigraph.graph.store import refuse_newer

#: every table a query reads by group
GROUPED = ("events", "identifiers", "edges", "profiles", "profile_log")


def _by_group(db: duckdb.DuckDBPyConnection) -> None:
    """4 -> 5: the lookup indexes go (``lookup`` replaces them); every table is rewritten in
    group order (once: a 10M-event store takes minutes)."""
    for (name,) in db.execute("SELECT index_name FROM duckdb_indexes()").fetchall():
        db.execute(f'DROP INDEX "{name}"')
    for table in GROUPED:
        resort(db, table)


#: What takes a store of a version to the next one: statements, or a function.
STEPS: dict[int, tuple[str | Callable[[duckdb.DuckDBPyConnection], None], ...]] = {
    # 2 -> 3: rows carry their connected group (``grp``); a store without group numbers is
    # replayed whole by its next load (no ``next_group``), which numbers them
    2: (*(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS grp BIGINT" for table in (
        "events", "identifiers", "edges", "profiles", "profile_log")),
        "DELETE FROM meta WHERE key = 'next_group'"),
    # 3 -> 4: profiles keep their namespace ids (vendor ids were external ids before: they
    # stay so until the files are loaded into a new store); events gain a column per
    # namespace when a load brings one
    3: ("ALTER TABLE profiles ADD COLUMN IF NOT EXISTS other_ids VARCHAR[] DEFAULT []",),
    4: (_by_group,),
}
#: The oldest DuckDB store version this one migrates (1 was 0.1's SQLite file).
OLDEST = 2


def pending(path: object, found: str | None, current: str) -> list[int]:
    """The versions whose steps a store of version ``found`` needs (none: it is current);
    :class:`StoreError` for a store this version cannot read."""
    try:
        have = int(found or "")
    except ValueError:
        raise StoreError(f"store {path} has an unknown schema version {found!r}: load your "
                         "files into a new store") from None
    want = int(current)
    refuse_newer(path, have, want)
    if have < OLDEST:
        raise StoreError(f"store {path} has schema {have}, older than this version reads: "
                         "load your files into a new store")
    return list(range(have, want))


def stale_lookup(db: duckdb.DuckDBPyConnection) -> bool:
    """True when ``lookup`` was written with another ``hash()`` than this DuckDB's."""
    rows = db.execute("SELECT value FROM meta WHERE key = 'lookup_hash'").fetchall()
    return not rows or rows[0][0] != hash_probe(db)


def migrate(db: duckdb.DuckDBPyConnection, versions: list[int], current: str) -> None:
    """Run the steps of these versions in one transaction, write ``lookup`` afresh and
    record the new version (with working_memory(): the steps rewrite whole tables)."""
    db.execute(f"SET memory_limit = '{working_memory()}'")
    db.execute("BEGIN")
    try:
        for version in versions:
            for step in STEPS.get(version, ()):
                if isinstance(step, str):
                    db.execute(step)
                else:
                    step(db)
        rebuild_lookup(db)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [current])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
