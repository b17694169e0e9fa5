"""Stores written by earlier versions: brought up to this version's schema when opened, or
refused in one line saying what to do (a store from a newer identigraph, an 0.1 SQLite
file: graph/embedded/store.py).

``meta.schema_version`` says which tables and columns a store has. Each step below takes a
store from one version to the next by adding what it lacks; the derived tables are
rewritten whole by the next load anyway, so a step only makes the store readable and
writable by this version.
"""

from __future__ import annotations

import duckdb

from identigraph.errors import StoreError
from identigraph.graph.store import refuse_newer

#: The statements that take a store of a version to the next one.
STEPS: dict[int, tuple[str, ...]] = {
    # 2 -> 3: rows carry their connected group (``grp``); a store without group numbers is
    # replayed whole by its next load (no ``next_group``), which numbers them
    2: (*(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS grp BIGINT" for table in (
        "events", "identifiers", "edges", "profiles", "profile_log")),
        "DELETE FROM meta WHERE key = 'next_group'"),
    # 3 -> 4: profiles keep their namespace ids (vendor ids were external ids before: they
    # stay so until the files are loaded into a new store); events gain a column per
    # namespace when a load brings one
    3: ("ALTER TABLE profiles ADD COLUMN IF NOT EXISTS other_ids VARCHAR[] DEFAULT []",),
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


def migrate(db: duckdb.DuckDBPyConnection, versions: list[int], current: str) -> None:
    """Run the steps of these versions in one transaction and record the new version."""
    db.execute("BEGIN")
    try:
        for version in versions:
            for statement in STEPS.get(version, ()):
                db.execute(statement)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [current])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
