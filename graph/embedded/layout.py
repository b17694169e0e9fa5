"""How the embedded store lays its rows out so that a lookup reads little, without indexes.

Every table is written sorted by ``grp`` (its rows' connected group, engine/groups.py): DuckDB
keeps each row group's and segment's min/max of a column (exact for integers), so
``WHERE grp IN (...)`` reads only the stretches holding those groups. One table, ``lookup``
(``h``, ``grp``), in order of ``h``'s top 16 bits, says which groups a value appears in:
``h`` is DuckDB's 64-bit ``hash()`` of an identifier key, a profile id (current or merged
away) or an event id, and ``WHERE h = ?`` reads the one stretch of its bucket. A query is:
value -> ``lookup`` (one range read) -> its groups' rows (range reads), filtered by the
value itself (so a hash collision only widens what is read). A string column cannot serve:
DuckDB keeps an 8-byte prefix as its min/max, and every ``phone:+1...`` key shares one.

``lookup`` holds, per group: its identifiers' keys (a blocked value, which has no group, under
each group whose events carry it), its profiles' and profile log's ids, its events' ids.
``meta.lookup_hash`` keeps ``hash()`` of a fixed text: a DuckDB whose ``hash()`` differs
rebuilds ``lookup`` when it opens the store (graph/embedded/migrate.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import duckdb

from identigraph.heap import give_back

if TYPE_CHECKING:  # writing needs them; a query does not import them (start-up time)
    import numpy as np
    import pyarrow as pa
    from numpy.typing import NDArray

#: the text whose ``hash()`` identifies the hash function ``lookup`` was written with
HASH_PROBE = "identigraph lookup"
#: rows of a table built or copied at a time when it is written sorted: one of DuckDB's
#: row groups. DuckDB reads a table's slices in one statement (``write_sorted``), so its
#: row groups are whole and written to the file as they fill (a statement per slice had to
#: be whole row groups: one ending mid-row-group left every table to the checkpoint)
SLICE = 122_880
#: a lookup row's group while in numpy: none (a store written by another engine)
NO_GROUP = -1
#: the lookup table, empty. Both columns bit-packed, which DuckDB chooses for them anyway:
#: named, its analysis of the other methods is skipped (0.1 CPU s of a 1M load)
LOOKUP_DDL = ("CREATE TABLE IF NOT EXISTS lookup (h UBIGINT USING COMPRESSION bitpacking, "
              "grp BIGINT USING COMPRESSION bitpacking)")


def hash_probe(db: duckdb.DuckDBPyConnection) -> str:
    """This DuckDB's ``hash()`` of HASH_PROBE, as text (kept in ``meta.lookup_hash``)."""
    # fetched whole: DuckDB refuses other work on a connection with an unfinished result
    [(value,)] = db.execute("SELECT hash(?)", [HASH_PROBE]).fetchall()
    return str(value)


def sorted_slices(table: pa.Table, key: NDArray[np.integer]) -> Iterator[pa.Table]:
    """The table's rows in slices of at most SLICE rows that follow ``key`` (stable): the
    first slice holds the SLICE rows with the smallest keys, and so on, each slice's rows
    in table order, as one batch. DuckDB's min/max of a column are kept per row group (one
    slice, even when threads write in any order), so the order within a slice does not
    change what a lookup reads; gathered in table order, a slice is copied twice, not
    three times (in key order).
    The order is held as int32 row numbers.

    Each slice is gathered batch by batch (a take within one batch), never by a take on
    the whole table: Arrow puts a chunked column together for every take, which made
    sorting 10M events in 41 slices quadratic."""
    import numpy as np
    import pyarrow as pa

    n = table.num_rows
    if n == 0 or bool(np.all(key[1:] >= key[:-1])):  # already in order (one group, none)
        yield from (table.slice(i, SLICE) for i in range(0, max(n, 1), SLICE))
        return
    order = np.argsort(key, kind="stable")
    if n <= np.iinfo(np.int32).max:
        order = order.astype(np.int32)
    batches = table.to_batches()
    starts = np.cumsum([0, *(b.num_rows for b in batches)])
    for lo in range(0, n, SLICE):
        at = np.sort(order[lo:lo + SLICE])  # the slice's rows in table order
        cuts = np.searchsorted(at, starts)
        yield pa.Table.from_batches(
            [batch.take(pa.array(at[cuts[i]:cuts[i + 1]] - starts[i]))
             for i, batch in enumerate(batches) if cuts[i + 1] > cuts[i]],
            table.schema).combine_chunks()  # one batch: DuckDB writes it as one row group


def group_order(table: pa.Table) -> NDArray[np.int64]:
    """The sort key of a table's ``grp`` column: a row without a group (a blocked value)
    after every group."""
    import numpy as np
    import pyarrow.compute as pc

    column = pc.fill_null(table.column("grp"), np.iinfo(np.int64).max)
    return np.asarray(column.to_numpy(), np.int64)


def insert_arrow(db: duckdb.DuckDBPyConnection, data: pa.Table | pa.RecordBatchReader,
                 sql: str) -> None:
    """Run ``sql`` (an INSERT reading the view ``incoming``) over Arrow data through a
    relation: DuckDB lets go of it when the statement ends, where a registered table is
    kept until the transaction commits (a first load then held every derived table it
    wrote, ~250 MB at 1M events)."""
    db.from_arrow(data).query("incoming", sql)


def write_sorted(db: duckdb.DuckDBPyConnection, table_name: str,
                 data: pa.Table | pa.RecordBatchReader, *, create: bool,
                 key: NDArray[np.integer] | None = None) -> None:
    """Write Arrow data into ``table_name`` sorted by ``key`` (by default its ``grp``
    column), creating it when ``create``, in one statement that reads slices as DuckDB
    asks for them: a table is gathered a slice at a time (``sorted_slices``); a reader's
    slices come in group order already (``delta.derived_with_groups`` builds them so).
    One slice is held at a time (a statement per slice held two row groups' worth)."""
    import pyarrow

    if isinstance(data, pyarrow.Table):
        order = group_order(data) if key is None else key
        data = pyarrow.RecordBatchReader.from_batches(data.schema, (
            batch for part in sorted_slices(data, order) for batch in part.to_batches()))
    failed: list[BaseException] = []
    insert_arrow(db, pyarrow.RecordBatchReader.from_batches(data.schema, _handed(data, failed)),
                 f"CREATE TABLE {table_name} AS SELECT * FROM incoming" if create
                 else f"INSERT INTO {table_name} BY NAME SELECT * FROM incoming")
    if failed:  # the caller's transaction rolls back the rows written before it
        raise failed[0]


def _handed(batches: Iterable[pa.RecordBatch], failed: list[BaseException]
            ) -> Iterator[pa.RecordBatch]:
    """The batches as DuckDB reads them, the heap given back before the next is built. An
    error building one (out of memory, a Ctrl-C) ends them and is kept in ``failed``: a
    statement failing on it aborted the transaction (the store's clean-up before its
    rollback then failed in its place) and said it as DuckDB's text."""
    try:
        for batch in batches:
            yield batch
            del batch
            give_back()  # the slice DuckDB has read, and what building it freed
    except GeneratorExit:
        raise
    except BaseException as exc:
        failed.append(exc)


def _sources(tables: Mapping[str, str]) -> str:
    """The SELECT of (value, grp) that ``lookup`` holds for these relations' (by state
    table name: identifiers, profiles, log, events) identifiers, profile ids and event ids."""
    idents, events = tables["identifiers"], tables["events"]
    return " UNION ALL ".join((f"SELECT key AS v, grp FROM {idents} WHERE NOT blocked",
                               f"SELECT profile_id, grp FROM {tables['profiles']}",
                               f"SELECT DISTINCT profile_id, grp FROM {tables['log']}",
                               f"SELECT event_id, grp FROM {events}"))


def _blocked_sources(db: duckdb.DuckDBPyConnection, tables: Mapping[str, str]
                     ) -> list[duckdb.DuckDBPyRelation]:
    """(value, grp) of each blocked value under each group whose events carry it, a relation
    per kind: the kind (from a rule set, so user input) names the events' column, so it
    goes to DuckDB as a column expression and a constant, never into a statement's text."""
    from duckdb import ColumnExpression, ConstantExpression, FunctionExpression

    events = db.table(tables["events"]).set_alias("e")
    blocked = db.sql(f"SELECT kind, value FROM {tables['identifiers']} WHERE blocked"
                     ).set_alias("b")
    kinds = sorted(str(k) for (k,) in blocked.select("kind").distinct().fetchall())
    out = []
    for kind in (k for k in kinds if k in events.columns):
        column = ColumnExpression("e", kind)
        carried = events.join(blocked, (column == ColumnExpression("b", "value"))
                              & (ColumnExpression("b", "kind") == ConstantExpression(kind)),
                              how="semi")
        key = FunctionExpression("concat", ConstantExpression(f"{kind}:"), column)
        out.append(carried.select(FunctionExpression("hash", key).alias("h"),
                                  ColumnExpression("e", "grp").alias("grp")).distinct())
    return out


def add_lookup(db: duckdb.DuckDBPyConnection, tables: Mapping[str, str]) -> None:
    """Append the lookup rows of these relations' rows in order of their hash's top 16 bits
    (inside the caller's transaction). The rows are held once, as two numpy arrays filled
    from DuckDB's batches as they come (sized by the tables' row counts, a bound: pages
    never written are never resident), beside the order of a radix sort of their 16-bit
    buckets; each slice is gathered as DuckDB reads it. DuckDB's ORDER BY h took twice the
    CPU (1.0 against 0.5 s at 1M events); sorting whole Arrow columns held four copies."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    blocked = [rel.to_arrow_table() for rel in _blocked_sources(db, tables)]
    bound = sum(b.num_rows for b in blocked) + sum(
        db.execute(f"SELECT count(*) FROM {tables[name]}").fetchall()[0][0]
        for name in ("identifiers", "profiles", "log", "events"))
    h, grp = np.empty(bound, np.uint64), np.empty(bound, np.int64)
    bucket = np.empty(bound, np.uint16)
    rows = db.sql(f"SELECT hash(v) AS h, grp FROM ({_sources(tables)}) WHERE v IS NOT NULL")
    n = 0
    for batch in itertools.chain(rows.to_arrow_reader(SLICE), *(t.to_batches() for t in blocked)):
        at = slice(n, n + batch.num_rows)
        h[at] = batch.column(0).to_numpy()
        grp[at] = pc.fill_null(batch.column(1), NO_GROUP).to_numpy()
        np.right_shift(h[at], np.uint64(48), out=bucket[at], casting="unsafe")
        n = at.stop
    del blocked
    order = np.argsort(bucket[:n], kind="stable")  # a radix sort: 16-bit keys
    del bucket

    def gathered() -> Iterator[pa.RecordBatch]:
        for start in range(0, n, SLICE):
            part = order[start:start + SLICE]
            grps = grp[part]
            yield pa.record_batch([h[part], pa.array(grps, mask=grps == NO_GROUP)],
                                  names=["h", "grp"])

    schema = pa.schema([("h", pa.uint64()), ("grp", pa.int64())])
    write_sorted(db, "lookup", pa.RecordBatchReader.from_batches(schema, gathered()),
                 create=False)


STORED = {"identifiers": "identifiers", "profiles": "profiles", "log": "profile_log",
          "events": "events"}


def rebuild_lookup(db: duckdb.DuckDBPyConnection) -> None:
    """``lookup`` written afresh from the stored tables, with this DuckDB's hash."""
    db.execute("DROP TABLE IF EXISTS lookup")
    db.execute(LOOKUP_DDL)
    add_lookup(db, STORED)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('lookup_hash', ?)", [hash_probe(db)])


def marks(values: Sequence[object]) -> str:
    """``?, ?, ?``: one placeholder per value (values are always parameters)."""
    return ", ".join("?" * len(values))


def within(groups: Sequence[int | None], blocked: bool = False) -> tuple[str, list[int]]:
    """``grp IN (?, ...)`` for these groups (``OR grp IS NULL`` when one is None, or for
    ``blocked`` values, which have none), and its parameters."""
    known = [g for g in groups if g is not None]
    parts = [f"grp IN ({marks(known)})"] if known else []
    if blocked or len(known) < len(groups):
        parts.append("grp IS NULL")
    return "(" + " OR ".join(parts or ["FALSE"]) + ")", known


def resort(db: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rewrite a stored table in group order (a group's rows in their stored order)."""
    db.execute(f"CREATE TABLE {table}_by_group AS SELECT * FROM {table} "
               "ORDER BY grp NULLS LAST, rowid")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {table}_by_group RENAME TO {table}")
