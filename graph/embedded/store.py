"""The embedded store: one DuckDB file, each load written in one transaction.

DuckDB takes the load's Arrow tables in bulk (no row-by-row inserts) and keeps them
compressed by column; a crash mid-load leaves the last committed load intact. Analysts can
open the file with DuckDB and query the tables directly (see README, "The embedded store").
"""

from __future__ import annotations

import contextlib
import copy
import functools
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import duckdb

from identigraph.errors import StoreError
from identigraph.graph.embedded.layout import marks, within
from identigraph.graph.embedded.loadlock import LoadLock
from identigraph.graph.embedded.memory import bulk_memory, out_of_memory, working_memory
from identigraph.graph.query import ProfileQuery
from identigraph.graph.records import (
    CrossEdge,
    Edge,
    EventRecord,
    Identifier,
    LogEntry,
    Profile,
    event_record,
)
from identigraph.graph.store import (
    GroupedReplay,
    Handed,
    Replayed,
    StateLike,
    materialise,
    taken,
)
from identigraph.graph.timefmt import iso
from identigraph.heap import give_back
from identigraph.model import keys_by_column

if TYPE_CHECKING:  # writing needs them; a query does not import them (start-up time)
    import numpy as np
    import pyarrow as pa
    from numpy.typing import NDArray

    from identigraph.engine.state import State, StateRows
    from identigraph.events import EventTable
    from identigraph.rules.model import RuleSet

#: 3: every event and derived row carries its connected group (grp); 4: profiles keep their
#: namespace ids (``other_ids``), events a column per id namespace they carry; 5: no lookup
#: indexes: tables sorted by group and a ``lookup`` table (graph/embedded/layout.py)
SCHEMA_VERSION = "5"
APP = "identigraph"
SQLITE_MAGIC = b"SQLite format 3\x00"
THREADS = 2
#: DuckDB's own cache: written blocks are evicted early, which keeps a big load's peak low
MEMORY_LIMIT = "64MB"
#: Queries get working_memory() (graph/embedded/memory.py: a setting, or half the machine up
#: to 4 GB): ``profiles`` sorts every profile (572k rows overflowed 64 MB at 1M events) and
#: spills to READ_TEMP past it
READ_TEMP = Path(tempfile.gettempdir()) / "identigraph-duckdb"
#: A delta's DuckDB memory: its deletes scan the ``grp`` columns of every table (a 10M
#: store's failed within 64 MB, "could not allocate"; with 4 GB DuckDB kept every block it
#: scanned: 1.35 GB); it stays set: DuckDB cannot give pinned blocks back
DELTA_MEMORY = "512MB"
#: Seconds a load waits for readers that keep the file open (`serve` lets go within 0.2 s)
WRITE_WAIT = 5.0
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of a DuckDB file
P = ParamSpec("P")
R = TypeVar("R")

#: the stored events' columns (``identigraph.events.FIELDS``, which imports pyarrow: a
#: query reads them by these names and does not import it)
_EVENT_COLS = ("event_id, ts, type, channel, source, email, phone, external_id, country, "
               "email_consent, sms_consent, attributes")
#: every stored event column: those and one per id namespace events carried (not ``grp``)
_ALL_EVENT_COLS = "* EXCLUDE (grp)"
#: derived tables (their names in the file, by state table): rewritten whole by a whole
#: replay from the resolution's Arrow tables, each row with ``grp``, its connected group
#: (graph/embedded/delta.py), in this order (engine/state.py WRITE_ORDER: each lets go of
#: what later ones do not read)
_DERIVED = {"edges": "edges", "identifiers": "identifiers", "profiles": "profiles",
            "log": "profile_log"}
#: a profile's size (identifiers held), and the order of each ``--sort``
_SIZE = "(len(emails) + len(phones) + len(external_ids) + len(other_ids))"
_ORDER = {"id": "profile_id", "size": f"{_SIZE} DESC, profile_id"}
#: values per ``IN`` list
IN_LIST = 500
#: groups whose events a query reads one group at a time
FEW_GROUPS = 8
#: rows fetched at a time when a query streams
BATCH = 2000
_EVENT_FIELDS = tuple(_EVENT_COLS.split(", "))
_PROFILE_COLS = ("profile_id, emails, phones, external_ids, other_ids, email_consent, sms_consent, "
                 "created_by, created_for, merged_ids")
_EDGE_COLS = "src, dst, event_id, type, channel, ts, rule, merges"
#: point lookups (identifier, profile, rule set) a read-only store remembers
MEMO_SIZE = 20_000


class _Memo:
    """Answers of a read-only store's point lookups, the oldest dropped past MEMO_SIZE: its
    file cannot change while it is open (a load waits for readers to let go), and one
    answer asks for the same identifier and profile several times. Shared by threads."""

    def __init__(self) -> None:
        self._found: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], R]) -> R:
        """The remembered answer, or ``compute()``'s, remembered."""
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return cast(R, self._found[key])
        value = compute()
        self.keep(key, value)
        return value

    def known(self, key: Hashable) -> Any:
        """The remembered answer, or None."""
        with self._lock:
            return self._found.get(key)

    def keep(self, key: Hashable, value: object) -> None:
        """Remember an answer."""
        with self._lock:
            self._found[key] = value
            if len(self._found) > MEMO_SIZE:
                self._found.popitem(last=False)


def _profile(row: tuple[Any, ...]) -> Profile:
    pid, emails, phones, ext, other, ec, sc, by, for_, merged = row
    return Profile(profile_id=pid, emails=emails, phones=phones, external_ids=ext,
                   email_consent=ec, sms_consent=sc, created_by=by, created_for=for_,
                   merged_ids=merged, other_ids=other or [])


def _edge(row: tuple[Any, ...]) -> Edge:
    src, dst, eid, type_, channel, ts, rule, merges = row
    return Edge(from_=src, to=dst, event_id=eid, event_type=type_, channel=channel,
                timestamp=iso(ts), rule=rule, merges=bool(merges), ts=ts)


def _connect(path: Path, write: bool) -> duckdb.DuckDBPyConnection:
    """Open the file; a writer waits up to WRITE_WAIT seconds for readers to let go."""
    deadline = time.monotonic() + WRITE_WAIT
    while True:
        try:
            return duckdb.connect(str(path), read_only=not write, config=_config(write))
        except duckdb.IOException as exc:
            if not write or "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _config(write: bool) -> dict[str, Any]:
    """A connection's settings; ``$IDENTIGRAPH_MEMORY_LIMIT`` is checked as the store opens,
    before a load reads or writes anything (its writes raise to it, memory.bulk_memory)."""
    queries = working_memory()
    if write:
        return {"threads": THREADS, "memory_limit": MEMORY_LIMIT}
    return {"threads": THREADS, "memory_limit": queries, "temp_directory": str(READ_TEMP)}


def event_columns(db: duckdb.DuckDBPyConnection) -> list[str]:
    """The stored events' columns (FIELDS, ``grp`` and each id namespace stored)."""
    return [r[0] for r in db.execute("SELECT column_name FROM duckdb_columns() "
                                     "WHERE table_name = 'events'").fetchall()]


def _events(cur: duckdb.DuckDBPyConnection) -> list[EventRecord]:
    """The events a ``SELECT {_ALL_EVENT_COLS}`` query found (namespace columns included)."""
    names = [d[0] for d in cur.description or ()]
    return [event_record(dict(zip(names, row, strict=True))) for row in cur.fetchall()]


def _parts(values: Sequence[str]) -> list[list[str]]:
    """Values in slices of at most IN_LIST: an ``IN`` list that an index answers."""
    return [list(values[i:i + IN_LIST]) for i in range(0, len(values), IN_LIST)]


def _cause(exc: BaseException) -> str:
    """An error's first line (its class name only when it says nothing)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def interrupted(exc: BaseException) -> bool:
    """True for DuckDB's catch of a Ctrl-C (an InterruptException, or a RuntimeError saying
    "Query interrupted"), also when a clean-up after it raised in its place (a relation's
    query drops its view after an interrupt: "transaction is aborted")."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, duckdb.InterruptException) or (
                isinstance(link, RuntimeError) and "interrupted" in str(link).lower()):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _unreadable(path: Path, exc: BaseException) -> StoreError:
    """A DuckDB error while reading a store, as the one line a user sees."""
    if isinstance(exc, duckdb.OutOfMemoryException):
        return StoreError(out_of_memory(path, _cause(exc)))
    return StoreError(f"store is damaged: {path}: {_cause(exc)} (load the source files "
                      "into a new store)")


def _reads(method: Callable[P, R]) -> Callable[P, R]:
    """A store read whose DuckDB errors are StoreErrors (exit 3) saying what went wrong;
    DuckDB's own catch of a Ctrl-C is the KeyboardInterrupt it was."""
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except duckdb.Error as exc:
            if interrupted(exc):
                raise KeyboardInterrupt from exc
            store = args[0]
            assert isinstance(store, EmbeddedStore)
            raise _unreadable(store.path, exc) from exc
    return wrapper


def _is_duckdb_file(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as fh:
        return fh.read(12)[8:12] == DUCKDB_MAGIC
    return False


def _check_file(path: Path) -> None:
    """Refuse, before DuckDB touches it, a path that cannot be a store."""
    if path.is_dir():
        raise StoreError(f"store path {path} is a folder, not a store file")
    if path.exists():
        with path.open("rb") as fh:
            head = fh.read(16)
        if head == SQLITE_MAGIC:
            raise StoreError(
                f"{path} is an identigraph 0.1 store (SQLite); this version keeps stores in "
                "DuckDB: load your files into a new store")


class EmbeddedStore:
    """The default store: a single local DuckDB file, no server."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._memo = None if create else _Memo()
        if not self.path.exists() and not create:
            raise StoreError(f"no store at {self.path} (run `identigraph load` first)")
        _check_file(self.path)
        fresh = not self.path.exists()
        # a writer says so first: a reader that keeps the file open (`serve`) lets go of it
        self._load_lock = LoadLock(self.path) if create else None
        try:
            self._open(create, fresh)
        except BaseException:
            self._release()
            raise

    def _open(self, create: bool, fresh: bool) -> None:
        try:
            # queries open read-only, so several can read while no load writes
            self.db = _connect(self.path, create)
            tables = {r[0] for r in self.db.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()}
        except duckdb.Error as exc:
            if fresh:
                for made in (self.path, self.path.with_name(self.path.name + ".wal")):
                    made.unlink(missing_ok=True)
            first = _cause(exc)
            if "could not set lock" in first.lower() or "conflicting lock" in first.lower():
                raise StoreError(f"store {self.path} is in use by another identigraph process "
                                 "(a load?); try again when it has finished") from exc
            if fresh:
                raise StoreError(f"cannot create the store {self.path}: {first}") from exc
            if _is_duckdb_file(self.path):
                raise _unreadable(self.path, exc) from exc
            raise StoreError(f"{self.path} is not an identigraph store ({first})") from exc
        if tables and ("meta" not in tables or self._meta("app") != APP):
            self.db.close()
            raise StoreError(f"{self.path} is a DuckDB file but not an identigraph store")
        if not tables and not create:  # read-only: an empty DuckDB file holds no store yet
            self.db.close()
            raise StoreError(f"no store at {self.path} (run `identigraph load` first)")
        if not tables:
            self._create_schema()
        else:
            self._upgrade(create)

    def _upgrade(self, write: bool) -> None:
        """Bring a store an earlier version wrote up to this schema (graph/embedded/migrate.py;
        a reader opens the file for writing for that moment), or refuse one this version
        cannot read."""
        from identigraph.graph.embedded.migrate import migrate, pending, stale_lookup

        steps = pending(self.path, self._meta("schema_version"), SCHEMA_VERSION)
        if not steps and not stale_lookup(self.db):
            return
        if write:
            migrate(self.db, steps, SCHEMA_VERSION)
            self.db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            return
        self.db.close()
        try:
            db = _connect(self.path, True)
            try:
                migrate(db, steps, SCHEMA_VERSION)
            finally:
                db.close()
        except duckdb.Error as exc:
            raise StoreError(
                f"store {self.path} was written by an earlier identigraph and must be upgraded "
                f"once, which needs it alone ({_cause(exc)}): stop what else uses it and run "
                "again") from exc
        self.db = _connect(self.path, False)

    def _create_schema(self) -> None:
        db = self.db
        db.execute("BEGIN")
        db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('app', ?), ('schema_version', ?)",
                   [APP, SCHEMA_VERSION])
        from identigraph.events import FIELDS
        from identigraph.graph.embedded.delta import empty_derived
        from identigraph.graph.embedded.layout import rebuild_lookup

        db.execute("CREATE TABLE IF NOT EXISTS events ({}, grp BIGINT)".format(
            ", ".join(f"{f} {'BIGINT' if f == 'ts' else 'VARCHAR'}" for f in FIELDS)))
        self._replace_derived(empty_derived)  # queries work before the first load
        rebuild_lookup(db)
        db.execute("COMMIT")

    @_reads
    def _first(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of a query (fetched whole: DuckDB wants results finished)."""
        rows = self.db.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    @_reads
    def _meta(self, key: str) -> str | None:
        row = self._first("SELECT value FROM meta WHERE key = ?", [key])
        return None if row is None else str(row[0])

    # -- writing ---------------------------------------------------------------------------
    def unfinished(self) -> bool:
        """Never: a write is one transaction, committed whole or not at all."""
        return False

    def _remembered(self, key: Hashable, compute: Callable[[], R]) -> R:
        """A read-only store's remembered lookup (a writer's data changes: never)."""
        return compute() if self._memo is None else self._memo.get(key, compute)

    @_reads
    def stored_ruleset(self) -> RuleSet | None:
        """The rule set of the last load, if any."""
        from identigraph.rules.model import RuleSet

        def read() -> RuleSet | None:
            text = self._meta("ruleset")
            return None if text is None else RuleSet.model_validate_json(text)

        return self._remembered("ruleset", read)

    @_reads
    def event_ids(self) -> pa.Array:
        """Every stored event id."""
        import pyarrow as pa

        from identigraph.arrays import as_array

        table = self.db.sql("SELECT event_id FROM events").to_arrow_table()
        return as_array(table.column(0)).cast(pa.string())

    @_reads
    def events_with_ids(self, ids: pa.Array) -> EventTable:
        """The stored events whose ids are among ``ids``: a semi-join in DuckDB over the id
        column, so only those events come back (not every stored event)."""
        import pyarrow as pa

        from identigraph.events import EventTable

        self.db.register("asked", pa.table({"event_id": ids}))
        try:
            found = self.db.sql(f"SELECT {_ALL_EVENT_COLS} FROM events "
                                "SEMI JOIN asked USING (event_id)").to_arrow_table()
        finally:
            self.db.unregister("asked")
        return EventTable(found)

    def has_events(self) -> bool:
        """True when any event is stored."""
        return self._first("SELECT 1 FROM events LIMIT 1") is not None

    def delta_ready(self) -> bool:
        """True when a load may replay only the groups it touches: events are stored and
        their groups known (a store written before groups were kept is replayed whole once)."""
        return self._meta("next_group") is not None and self.has_events()

    def events(self) -> EventTable:
        """Every stored event."""
        from identigraph.events import EventTable

        return EventTable(self.db.sql("SELECT * EXCLUDE (grp) FROM events").to_arrow_table())

    def write(self, ruleset: RuleSet, new_events: EventTable | Handed[EventTable],
              state: StateLike) -> None:
        """Append events and rewrite the derived tables in one transaction: a first load, or
        a whole replay of a store written before groups were kept.

        A first load whose groups are known before its replay (a :class:`GroupedReplay`)
        appends its events first, in group order, and lets go of them (when ``Handed``
        over) before the replay runs. Otherwise the replay runs first; its derived tables
        go to DuckDB one after another and its arrays are let go before the events are
        appended, each with the group the replay numbered. Either way the replay and
        DuckDB's writes never hold memory at the same time.
        """
        from identigraph.graph.embedded.layout import rebuild_lookup

        first = not self.has_events()
        db = self.db
        events = [taken(new_events)]  # popped when written: nothing else holds them then
        with self._write_transaction():
            db.execute("INSERT OR REPLACE INTO meta VALUES ('ruleset', ?)",
                       [ruleset.model_dump_json()])
            if first and isinstance(state, GroupedReplay):  # the events first, let go of
                self._append_events(events.pop(), state.groups.take())  # before the replay
                give_back()
                state = state.run
            replayed = [materialise(state)]  # popped below: nothing else holds it
            give_back()  # the replay's own temporaries
            if not first:  # the whole replay regroups every stored event, these included
                self._append_events(events.pop(), None)
            groups = self._write_derived(replayed.pop(), first, by_row=bool(events))
            if first and events:
                give_back()  # the replay's arrays
                self._append_events(events.pop(), groups)
            give_back()  # the events, written
            rebuild_lookup(db)

    def _write_derived(self, rows: State, first: bool, *, by_row: bool = True
                       ) -> NDArray[np.int64] | None:
        """The derived tables of a whole replay, each row with its group (inside the load's
        transaction); on a first load whose events are still to be written (``by_row``),
        the group of each replayed event by table row."""
        import numpy as np

        from identigraph.engine.resolver import groups_by_row
        from identigraph.engine.state import StateRows
        from identigraph.graph.embedded.delta import derived_with_groups, ungrouped

        if not isinstance(rows, StateRows):  # another engine's tables (Spark): no groups,
            self._replace_derived(lambda name: ungrouped(rows.table(name)))  # next load whole
            self.db.execute("DELETE FROM meta WHERE key = 'next_group'")
            return None
        res = rows.res
        ids = np.arange(int(res.group_at.max()) + 1 if len(res.group_at) else 0)
        groups = None
        if first and by_row:  # the events' groups, by row, as the replay numbered them
            groups = groups_by_row(res.order, res.group_at)
        elif not first:
            self._regroup_events(rows)
        self._replace_derived(lambda name: derived_with_groups(rows, name, ids), rows.written)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('next_group', ?)",
                        [str(len(ids))])
        return groups

    def _regroup_events(self, rows: StateRows) -> None:
        """Every stored event's group, from a whole replay (joined on event ids), the events
        then rewritten in group order."""
        import pyarrow as pa

        from identigraph.engine.resolver import groups_by_row
        from identigraph.graph.embedded.layout import resort

        by_row = groups_by_row(rows.res.order, rows.res.group_at)
        self.db.execute("ALTER TABLE events ADD COLUMN IF NOT EXISTS grp BIGINT")
        self.db.register("regroup", pa.table({"event_id": rows.res.event_id, "grp": by_row}))
        self.db.execute("UPDATE events SET grp = regroup.grp FROM regroup "
                        "WHERE events.event_id = regroup.event_id")
        self.db.unregister("regroup")
        resort(self.db, "events")

    def write_delta(self, ruleset: RuleSet, new_events: EventTable) -> Replayed:
        """Add events to a store whose groups are known, replaying only the groups they
        touch (graph/embedded/delta.py); one transaction."""
        from identigraph.graph.embedded.delta import replay_delta

        db = self.db
        db.execute(f"SET memory_limit = '{DELTA_MEMORY}'")
        with self._write_transaction():
            replayed, next_group = replay_delta(db, ruleset, new_events,
                                                int(self._meta("next_group") or 0))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('next_group', ?)",
                       [str(next_group)])
        return replayed

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One write: a transaction committed whole or rolled back (raising what a user should
        see: the cause, a Ctrl-C as one), then folded into the file."""
        try:
            self.db.execute("BEGIN")
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            failure = self._rolled_back(exc)
            if failure is exc:
                raise
            raise failure from exc
        self._checkpoint()

    def _rolled_back(self, exc: BaseException) -> BaseException:
        """Roll a failed write back and say what to raise: the cause, never the rollback's
        own error ("no transaction is active"); DuckDB's catch of a Ctrl-C as one."""
        with contextlib.suppress(duckdb.Error):
            self.db.execute("ROLLBACK")
        if interrupted(exc):
            return KeyboardInterrupt()
        if isinstance(exc, duckdb.Error):
            return StoreError(f"cannot write the store {self.path}: {_cause(exc)}; it keeps "
                              "its last completed load")
        return exc

    def _checkpoint(self) -> None:
        """Fold the committed load's log into the file (one file at rest)."""
        try:
            self.db.execute("CHECKPOINT")
        except (duckdb.InterruptException, RuntimeError) as exc:
            if not interrupted(exc):
                raise
            raise KeyboardInterrupt from exc  # committed: the next load folds it in
        except duckdb.Error as exc:
            raise StoreError(
                f"store {self.path}: the load is committed (in {self.path.name}.wal) but "
                f"could not be folded into the file: {_cause(exc)}; the next load finishes "
                "it") from exc

    def _append_events(self, events: EventTable, groups: NDArray[np.int64] | None) -> None:
        """INSERT the new events with their groups (null when not known yet), inside the
        load's transaction."""
        if not len(events):
            return
        import numpy as np

        from identigraph.graph.embedded.delta import add_event_columns, event_arrow, sort_key
        from identigraph.graph.embedded.layout import write_sorted

        add_event_columns(self.db, events.namespaces)
        if groups is None:
            groups = np.full(len(events), -1, np.int64)
        with self._bulk():  # sorted by the groups as they are (no copy of the grp column)
            write_sorted(self.db, "events", event_arrow(events, groups), create=False,
                         key=sort_key(groups))

    @contextlib.contextmanager
    def _bulk(self, ordered: bool = False) -> Iterator[None]:
        """DuckDB's settings for one table written whole: its memory at bulk_memory(), set
        back to MEMORY_LIMIT after (which evicts what it wrote), and, unless ``ordered``,
        rows free to land in any order within what each thread reads. DuckDB keeps row order
        across threads by holding their rows back, ~100 MB more at a 1M first load (or one
        thread at 64 MB); unordered, each thread writes the slices it takes as row groups,
        each a slice, so every row group still holds one stretch of groups."""
        self.db.execute(f"SET memory_limit = '{bulk_memory()}'")
        if not ordered:
            self.db.execute("SET preserve_insertion_order = false")
        try:
            yield
        finally:
            self.db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            self.db.execute("RESET preserve_insertion_order")

    def _replace_derived(self, table: Callable[[str], pa.Table | pa.RecordBatchReader],
                         written: Callable[[str], None] | None = None) -> None:
        """Drop and recreate the derived tables from Arrow (inside the caller's transaction),
        one at a time: DuckDB holds one slice at a time; ``written(name)`` is told of each
        once written (a replay's rows then let go of what later tables do not read).

        They are rewritten whole by every load, so they are stored uncompressed: DuckDB's
        compression analysis would double the write's CPU for tables that live one load.
        Each is written sorted by group (graph/embedded/layout.py).
        """
        from identigraph.graph.embedded.layout import write_sorted

        self.db.execute("SET force_compression = 'uncompressed'")
        try:
            for name, table_name in _DERIVED.items():
                self.db.execute(f"DROP TABLE IF EXISTS {table_name}")
                # the log's rows of one event keep their order (rowid breaks ties on reads)
                with self._bulk(ordered=name == "log"):
                    write_sorted(self.db, table_name, table(name), create=True)
                if written is not None:
                    written(name)
                give_back()
        finally:
            self.db.execute("RESET force_compression")

    # -- reading ---------------------------------------------------------------------------
    def identifier(self, key: str) -> Identifier | None:
        """One identifier by key."""
        return self._remembered(("identifier", key), lambda: self._identifier(key))

    @_reads
    def _groups(self, values: Sequence[str]) -> list[int | None]:
        """The groups these identifier keys, profile ids or event ids appear in (None: rows
        without one), read from ``lookup`` by hash (graph/embedded/layout.py); a read-only
        store remembers them (one answer asks of the same few values several times)."""
        memo = self._memo
        found: set[int | None] = set()
        missing = []
        for value in set(values):
            groups = None if memo is None else memo.known(("groups", value))
            if groups is None:
                missing.append(value)
            else:
                found.update(groups)
        by_value: dict[str, set[int | None]] = {v: set() for v in missing}
        for part in _parts(sorted(missing)):  # a join: DuckDB reads each hash's stretch
            for value, grp in self.db.execute(
                    "SELECT q.v, l.grp FROM (SELECT unnest(?::VARCHAR[]) AS v) q "
                    "JOIN lookup l ON l.h = hash(q.v)", [part]).fetchall():
                by_value[value].add(grp)
        for value, groups in by_value.items():
            found.update(groups)
            self._learn(value, groups)
        return sorted(found, key=lambda g: (g is None, g or 0))

    def _learn(self, value: str, groups: set[int | None]) -> None:
        """Remember a value's groups (a read-only store)."""
        if self._memo is not None:
            self._memo.keep(("groups", value), frozenset(groups))

    def _where(self, column: str, values: Sequence[str], blocked: bool = False
               ) -> tuple[str, list[Any]] | None:
        """``WHERE`` of the rows whose ``column`` is among ``values``, read through their
        groups (None when no row can match); ``blocked``: rows without a group too."""
        groups = self._groups(values)
        if not groups and not blocked:
            return None
        cond, params = within(groups, blocked)
        return (f"{cond} AND {column} IN ({marks(values)})", [*params, *values])

    @_reads
    def _identifier(self, key: str) -> Identifier | None:
        where = self._where("key", [key], blocked=True)
        row = None if where is None else self._first(
            "SELECT key, kind, value, profile_id, blocked, consent, grp FROM identifiers "
            f"WHERE {where[0]}", where[1])
        if row is None:
            return None
        k, kind, value, pid, blocked, consent, grp = row
        if pid is not None and grp is not None:  # a profile is in its identifiers' group
            self._learn(pid, {grp})
        return Identifier(key=k, kind=kind, value=value, profile_id=pid,
                          blocked=bool(blocked), consent=consent)

    @_reads
    def profiles(self) -> list[Profile]:
        """Every profile, by id."""
        return list(self.profiles_where(ProfileQuery()))

    def profiles_where(self, query: ProfileQuery) -> Iterator[Profile]:
        """The query's profiles, streamed from one sorted query a batch at a time (DuckDB
        sorts within its memory limit, spilling to its temporary folder past it)."""
        cur = self.db.execute(
            f"SELECT {_PROFILE_COLS} FROM profiles WHERE {_SIZE} >= ? "
            "AND (? IS NULL OR (? = 'email' AND len(emails) > 0) "
            "OR (? = 'phone' AND len(phones) > 0) "
            "OR (? = 'external_id' AND len(external_ids) > 0) "
            "OR len(list_filter(other_ids, lambda k: starts_with(k, ? || ':'))) > 0) "
            f"ORDER BY {_ORDER[query.sort]} LIMIT ?",
            [query.min_size, *[query.kind] * 5, query.limit])
        while rows := cur.fetchmany(BATCH):
            yield from (_profile(r) for r in rows)

    def profile(self, profile_id: str) -> Profile | None:
        """One profile by id."""
        return self._remembered(("profile", profile_id), lambda: self._profile(profile_id))

    @_reads
    def _profile(self, profile_id: str) -> Profile | None:
        where = self._where("profile_id", [profile_id])
        row = None if where is None else self._first(
            f"SELECT {_PROFILE_COLS}, grp FROM profiles WHERE {where[0]}", where[1])
        if row is None:
            return None
        found = _profile(row[:-1])
        if row[-1] is not None:  # its identifiers are in its group
            for key in found.identifier_keys():
                self._learn(key, {row[-1]})
        return found

    @_reads
    def edges_touching(self, keys: Sequence[str]) -> list[Edge]:
        """Edges with either end among ``keys``."""
        if not keys:
            return []
        rows: set[tuple[Any, ...]] = set()
        for part in _parts(keys):  # through the keys' groups, either end
            groups = self._groups(part)
            if not groups:
                continue
            cond, params = within(groups)
            holes = marks(part)
            rows.update(self.db.execute(
                f"SELECT {_EDGE_COLS} FROM edges WHERE {cond} "
                f"AND (src IN ({holes}) OR dst IN ({holes}))", [*params, *part, *part]
            ).fetchall())
        edges = [_edge(r) for r in rows]
        return sorted(edges, key=lambda e: (e.ts, e.event_id, e.from_, e.to))

    @_reads
    def cross_profile_edges(self, rules: Sequence[str]) -> list[CrossEdge]:
        """Edges of these rules whose ends are on two different profiles."""
        cols = ", ".join(f"e.{c}" for c in _EDGE_COLS.split(", "))
        rows = self.db.execute(
            f"SELECT {cols}, a.profile_id, b.profile_id FROM edges e "
            "JOIN identifiers a ON a.key = e.src JOIN identifiers b ON b.key = e.dst "
            "WHERE list_contains(?, e.rule) AND a.profile_id <> b.profile_id", [list(rules)]
        ).fetchall()
        found = [CrossEdge(edge=_edge(r[:8]), from_profile=r[8], to_profile=r[9]) for r in rows]
        return sorted(found, key=lambda c: (c.edge.ts, c.edge.event_id, c.edge.from_, c.edge.to))

    @_reads
    def log(self, profile_ids: Sequence[str]) -> list[LogEntry]:
        """Profile-level changes of these profiles."""
        if not profile_ids:
            return []
        found = [r for part in _parts(profile_ids)
                 if (where := self._where("profile_id", part)) is not None
                 for r in self.db.execute(
                     "SELECT ts, event_id, rowid, profile_id, action, identifier, other "
                     f"FROM profile_log WHERE {where[0]}", where[1]).fetchall()]
        found.sort(key=lambda r: r[:3])  # ts, event_id, then as written
        rows = [(p, e, ts, a, i, o) for ts, e, _, p, a, i, o in found]
        return [LogEntry(profile_id=p, event_id=e, timestamp=iso(ts), ts=ts, action=a,
                         identifier=i, other=o) for p, e, ts, a, i, o in rows]

    @_reads
    def events_for(self, keys: Sequence[str]) -> list[EventRecord]:
        """Events carrying any of these identifiers, oldest first."""
        found: dict[str, EventRecord] = {}
        columns = self._remembered("event_columns", lambda: event_columns(self.db))
        for part in _parts(keys):  # one query: the keys' groups, any of their columns
            groups = self._groups(part)
            by_column = keys_by_column(part, columns)
            if not groups or not by_column:
                continue
            carried = " OR ".join(f"{duckdb.ColumnExpression(kind)} IN ({marks(values)})"
                                  for kind, values in by_column.items())  # names quoted
            values = [v for vals in by_column.values() for v in vals]
            # a few groups one at a time: DuckDB read a 10M store's events for two groups in
            # 18.6 ms of CPU with one IN list, ~5 ms each alone
            for some in ([[g] for g in groups] if len(groups) <= FEW_GROUPS else [groups]):
                cond, params = within(some)
                for ev in _events(self.db.execute(
                        f"SELECT {_ALL_EVENT_COLS} FROM events WHERE {cond} AND ({carried})",
                        [*params, *values])):
                    found[ev.event_id] = ev
        return sorted(found.values(), key=lambda e: (e.ts, e.event_id))

    @_reads
    def event(self, event_id: str) -> EventRecord | None:
        """One stored event by id."""
        where = self._where("event_id", [event_id])
        found = [] if where is None else _events(self.db.execute(
            f"SELECT {_ALL_EVENT_COLS} FROM events WHERE {where[0]}", where[1]))
        return found[0] if found else None

    @_reads
    def state_table(self, name: str) -> pa.Table:
        """One derived table in the store's order: group order row group by row group (a
        whole replay writes its rows in any order within a row group; the log in its own)."""
        if name not in _DERIVED:
            raise KeyError(name)
        return self.db.sql(f"SELECT * FROM {_DERIVED[name]}").to_arrow_table()

    @_reads
    def stats(self) -> dict[str, object]:
        """Counts for ``identigraph stats``."""
        def one(sql: str) -> Any:
            row = self._first(sql)
            return None if row is None else row[0]

        def pairs(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in self.db.execute(sql).fetchall()}

        rs = self.stored_ruleset()
        return {
            "store": self.location,
            "backend": "embedded",
            "ruleset": rs.name if rs else None,
            "events": one("SELECT count(*) FROM events"),
            "identifiers": pairs(
                "SELECT kind, count(*) FROM identifiers GROUP BY kind ORDER BY kind"),
            "profiles": one("SELECT count(*) FROM profiles"),
            "merged_profiles": one("SELECT count(*) FROM profiles WHERE len(merged_ids) > 0"),
            "edges": pairs("SELECT rule, count(*) FROM edges GROUP BY rule ORDER BY rule"),
            "largest_groups": self._largest_groups(),
        }

    def cursor_store(self) -> EmbeddedStore:
        """This store over a new connection to the same open database, for another thread
        (a DuckDB connection serves one thread at a time); closing it keeps this one open."""
        other = copy.copy(self)
        other.db = self.db.cursor()
        other._load_lock = None
        return other

    def _release(self) -> None:
        if self._load_lock is not None:
            self._load_lock.release()
            self._load_lock = None

    def _largest_groups(self, top: int = 5) -> list[dict[str, object]]:
        """The biggest connected groups of events (what a load touching one replays; ties by
        their first event id), each with its most linked identifiers: a value shared by
        strangers shows up there, and blocking it in the rule set splits the group."""
        out: list[dict[str, object]] = []
        if self._meta("next_group") is None:  # written before groups were kept
            return out
        sizes = self.db.execute(
            "SELECT grp, count(*) AS n FROM events WHERE grp IS NOT NULL GROUP BY grp "
            "ORDER BY n DESC, min(event_id) LIMIT ?", [top]).fetchall()
        for grp, n in sizes:
            idents, profiles = self.db.execute(
                "SELECT count(*), count(DISTINCT profile_id) FROM identifiers WHERE grp = ?",
                [grp]).fetchall()[0]
            linked = self.db.execute(
                "SELECT key, count(*) AS n FROM (SELECT src AS key FROM edges WHERE grp = $g "
                "UNION ALL SELECT dst FROM edges WHERE grp = $g) GROUP BY key "
                "ORDER BY n DESC, key LIMIT 3", {"g": grp}).fetchall()
            out.append({"events": int(n), "identifiers": int(idents),
                        "profiles": int(profiles),
                        "most_linked": {str(k): int(c) for k, c in linked}})
        return out

    def close(self) -> None:
        """Close the file (a writer then lets readers in again); after a failed write
        DuckDB may refuse, and that error was already said."""
        try:
            with contextlib.suppress(duckdb.Error):
                self.db.close()
        finally:
            self._release()

