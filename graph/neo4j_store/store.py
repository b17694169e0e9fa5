"""The Neo4j store (``--store bolt://…``): answers exactly like the embedded store.

A write marks the store unfinished before it sends anything and finished after its last
batch, so a load interrupted anywhere (even with every event appended) is finished by the
next load, which rewrites the whole derived state (see docs/neo4j.md). Events are kept as
compressed Arrow chunks, as in the embedded store (graph/neo4j_store/chunks.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar, cast

import neo4j
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from neo4j import exceptions as neo4j_errors

from identigraph import cypher
from identigraph.arrays import as_array
from identigraph.engine.resolver import resolve
from identigraph.engine.state import SCHEMAS, State, StateRows, StateTables
from identigraph.events import FIELDS, EventTable
from identigraph.graph.neo4j_store import read
from identigraph.graph.neo4j_store.chunks import (
    chunk_table,
    event_chunks,
    event_with_id,
    events_carrying,
    joined,
)
from identigraph.graph.neo4j_store.connect import open_driver, store_errors
from identigraph.graph.neo4j_store.eventindex import bucket_events, probes, probes_of
from identigraph.graph.neo4j_store.groupindex import (
    Placement,
    group_batches,
    largest_groups,
    place,
)
from identigraph.graph.neo4j_store.write import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EVENT_CHUNK_ROWS,
    DEFAULT_WORKERS,
    Progress,
    Writer,
    statements,
)
from identigraph.graph.query import ProfileQuery
from identigraph.graph.records import (
    CrossEdge,
    Edge,
    EventRecord,
    Identifier,
    LogEntry,
    Profile,
)
from identigraph.graph.store import (
    Handed,
    Replayed,
    StateLike,
    materialise,
    refuse_newer,
    taken,
)
from identigraph.rules.model import RuleSet

#: The Meta node's state in a database neo4j-admin imported, until its schema is built.
IMPORTED = "imported"
#: 2: events as :EventChunk nodes; identifiers without kind/value; 3: an identifier's kind
#: is its ``kind`` property (any number of kinds, no label per kind), profiles keep their
#: namespace ids (``other_ids``); 4: the group index (:GroupBucket, ``Identifier.bucket``,
#: ``Meta.grouped``: groupindex.py)
SCHEMA_VERSION = "4"
#: Environment overrides: rows per write transaction, events per stored chunk, database.
BATCH_ENV, DATABASE_ENV = "IDENTIGRAPH_NEO4J_BATCH_SIZE", "NEO4J_DATABASE"
CHUNK_ENV = "IDENTIGRAPH_NEO4J_EVENT_CHUNK_ROWS"
#: Attempts at a read the driver calls retryable (auto-commit reads are not retried by it).
READ_ATTEMPTS = 3
T = TypeVar("T")
NO_LIMIT = 2**62  # Cypher's LIMIT takes a number, not null


def _positive(given: int | None, env: str, default: int, what: str) -> int:
    value = given if given is not None else int(os.environ.get(env) or default)
    if value < 1:
        raise ValueError(f"{what} must be positive, not {value}")
    return value


def _batch_size(given: int | None) -> int:
    return _positive(given, BATCH_ENV, DEFAULT_BATCH_SIZE, "batch size")


def _first_per_id(table: pa.Table) -> pa.Table:
    """The table without repeated event ids (the first row of each id kept)."""
    seen: set[str] = set()
    keep: list[int] = []
    for i, eid in enumerate(table.column("event_id").to_pylist()):
        if eid not in seen:
            seen.add(eid)
            keep.append(i)
    return table.take(pa.array(keep, pa.int64()))


class Neo4jStore:
    """Events, identifiers, evidence edges and profiles as a Neo4j graph."""

    def __init__(self, uri: str, *, batch_size: int | None = None,
                 database: str | None = None, workers: int = DEFAULT_WORKERS,
                 progress: Progress | None = None, event_chunk_rows: int | None = None) -> None:
        self.location = uri
        self.batch_size = _batch_size(batch_size)
        self.event_chunk_rows = _positive(event_chunk_rows, CHUNK_ENV, DEFAULT_EVENT_CHUNK_ROWS,
                                          "event chunk rows")
        self.workers = workers
        self.database = database or os.environ.get(DATABASE_ENV) or None
        self.progress = progress
        self.driver = open_driver(uri)
        self._schema_ready = False
        self._held: dict[str, tuple[int, Any]] = {}  # see _per_write
        self.timings: dict[str, float] = {}  # seconds per step of the last write
        self._state: State | None = None  # the state's tables, for export-state
        self._refuse_newer()

    def _refuse_newer(self) -> None:
        """Refuse a store a newer identigraph wrote (older ones are read, and moved to this
        version's form by their next load); finish a database neo4j-admin just imported."""
        rows = self._read("meta_read")
        found = rows[0]["schema_version"] if rows else None
        if found is not None:
            refuse_newer(self.location, int(found), int(SCHEMA_VERSION))
        if rows and rows[0]["state"] == IMPORTED:
            self._finish_import()

    def _finish_import(self) -> None:
        """A database built by ``neo4j-admin database import`` (import_files.py) has no
        constraints or indexes: build them, then mark the store complete."""
        with store_errors(self.location):
            writer = Writer(self.driver, self.database, self.batch_size)
            for name in ("schema", "identifier_schema", "derived_schema"):
                writer.schema(name)
            writer.statement("meta_imported")

    # -- plumbing --------------------------------------------------------------------------
    def _session(self) -> neo4j.Session:
        session: neo4j.Session = self.driver.session(database=self.database)
        return session

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        """All records of a named read statement, as one auto-commit read: one round trip
        (a managed transaction adds the COMMIT's, a fifth of a lookup's answer time); what
        the driver calls retryable (a lost connection, a transient error) is run again."""
        query = cypher.load(name)
        attempt = 1
        with store_errors(self.location):
            while True:  # until an answer, or an error not to retry (or the last attempt's)
                try:
                    with self.driver.session(database=self.database,
                                             default_access_mode=neo4j.READ_ACCESS) as session:
                        return list(session.run(query, params))
                except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
                    if attempt == READ_ATTEMPTS or not exc.is_retryable():
                        raise
                time.sleep(0.1 * attempt)
                attempt += 1

    def _ensure_schema(self, session: neo4j.Session) -> None:
        """Constraints and indexes, created once per store object (IF NOT EXISTS)."""
        if self._schema_ready:
            return
        for statement in statements(cypher.load("schema")):
            session.run(statement).consume()
        session.run(cypher.load("await_indexes"), seconds=600).consume()
        self._schema_ready = True

    # -- writing ---------------------------------------------------------------------------
    def stored_ruleset(self) -> RuleSet | None:
        """The rule set of the last load, if any."""
        rows = self._read("meta_read")
        if not rows or rows[0]["ruleset"] is None:
            return None
        return RuleSet.model_validate_json(rows[0]["ruleset"])

    def _event_table(self) -> pa.Table | None:
        """Every stored event chunk as one Arrow table (None when there is none).

        Chunks are MERGEd by content, and a load appends only events whose ids are not
        stored, so an event id is never stored twice; should one be, it is read once.
        """
        tables = [chunk_table(r["data"]) for r in self._read("event_chunks")]
        legacy = self._legacy_events()
        if len(legacy):
            tables.extend(chunk_table(data) for _, data in event_chunks(legacy))
        table = joined(tables)
        if table is None:
            return None
        if pc.count_distinct(table.column("event_id")).as_py() < table.num_rows:
            table = _first_per_id(table)
        return table

    def _legacy_events(self) -> EventTable:
        """Events of a schema-version-1 store, one :Event node each (none once a load of
        this version has moved them into chunks)."""
        rows = [r[0] for r in self._read("legacy_events")]
        return EventTable.of({f: [row[i] for row in rows] for i, f in enumerate(FIELDS)})

    def event_ids(self) -> pa.Array:
        """Every stored event id."""
        table = self._event_table()
        return pa.array([], pa.string()) if table is None else as_array(
            table.column("event_id"))

    def events(self) -> EventTable:
        """Every stored event, in the order they were appended (read once per finished
        write: the whole write that follows places them in the group index)."""
        table = self._answer_events()
        return EventTable() if table is None else EventTable(table)

    def write(self, ruleset: RuleSet, new_events: EventTable | Handed[EventTable],
              state: StateLike) -> None:
        """Mark the store unfinished; while the replay runs, append the new events and delete
        the old derived state; write the new one (batched, idempotent); mark it finished."""
        new_events = taken(new_events).plain()  # its chunks keep the events' own types
        with store_errors(self.location, writing=True):
            with self._session() as session:
                self._ensure_schema(session)
            writer = Writer(self.driver, self.database, self.batch_size, self.workers,
                            self.progress, self.event_chunk_rows)
            stored = self._answer_events()  # what events() read for the replay
            everything = new_events if stored is None else EventTable.concat(
                [EventTable(stored), new_events])
            generation = writer.statement("meta_begin", ruleset=ruleset.model_dump_json(),
                                          schema_version=SCHEMA_VERSION)
            # while the replay runs, the server deletes the old state and stores the events,
            # and the events' groups are found (the group index: groupindex.py)
            with ThreadPoolExecutor(max_workers=3, thread_name_prefix="neo4j-bg") as bg:
                appended = bg.submit(self._append_events, writer, new_events, generation)
                cleared = bg.submit(writer.clear_derived)
                placing = bg.submit(place, everything, ruleset, 0)
                pending: list[Future[Any]] = [appended, cleared, placing]
                try:
                    started = time.perf_counter()
                    rows = materialise(state)
                    writer.timings["replay"] = time.perf_counter() - started
                    cleared.result()
                    placement = placing.result()
                    pending.append(bg.submit(writer.rows, "group_buckets",
                                             placement.batches(), undo=False))
                    writer.write_state(rows, placement=placement)
                except BaseException:
                    writer.stopping.set()  # the delete stops before its next batch
                    wait(pending)  # their errors, if any, are second to this one
                    raise
                for done in pending:
                    done.result()
            writer.statement("meta_end", next_bucket=placement.after(0), ranked=True)
            self.timings = writer.timings

    def _append_events(self, writer: Writer, new_events: EventTable, generation: int) -> None:
        """Append the new events as chunks (and, from a schema-version-1 store, its events
        kept as nodes, which are then deleted)."""
        legacy = self._legacy_events()
        if len(legacy):
            new_events = EventTable.concat([legacy, new_events])
        writer.append_events(new_events, generation)
        if len(legacy):
            writer.clear("legacy_events")
        self._rebucket_cut_short(writer)

    def _rebucket_cut_short(self, writer: Writer) -> None:
        """Write again the id buckets of every load whose events were stored but whose
        buckets were not all written (a load killed half-way): without them each lookup
        by event id would read every chunk, for good."""
        from identigraph.graph.neo4j_store.eventindex import bucket_batches, bucket_count

        row = self._read("event_bucket_sets")[0]
        for generation in sorted(set(row["chunked"]) - {g for g, _ in row["sets"]}):
            chunks = [chunk_table(r["data"])
                      for r in self._read("event_chunks_of", generation=generation)]
            events = EventTable(joined(chunks))
            writer.statement("clear_event_buckets_of", generation=generation)
            writer.rows("event_buckets", bucket_batches(events, generation), undo=False)
            writer.statement("write_event_bucket_set", generation=generation,
                             buckets=bucket_count(len(events)), rows=len(events))

    def has_events(self) -> bool:
        """True when any event is stored."""
        row = self._read("has_events")[0]
        return bool(row["chunked"] or row["legacy"])

    def events_with_ids(self, ids: pa.Array) -> EventTable:
        """The stored events whose ids are among ``ids``: the id buckets these ids hash
        into (one seek each), or, in a store some of whose events have none, every chunk."""
        sets = self._buckets() if self._grouped() else None
        if sets is None:
            table = self._answer_events()
        else:
            table = bucket_events([r["data"] for r in self._read(
                "event_buckets", **probes_of(sets, ids))])
        if table is None:
            return EventTable()
        return EventTable(table.filter(pc.is_in(table.column("event_id"), value_set=ids)))

    def delta_ready(self) -> bool:
        """True when a load may replay only the groups its events touch: the last write
        finished, every event is in chunks and this version wrote the graph (an older
        one's is rewritten whole: schema 2 had a label per kind, no ``kind`` property)."""
        row = self._read("has_events")[0]
        return bool(row["chunked"]) and not row["legacy"] and self._grouped()

    def _grouped(self) -> bool:
        """True when the last write finished and was this version's, so the group index
        holds every event (a store an older version or neo4j-admin wrote has none)."""
        def read() -> bool:
            meta = self._read("meta_read")
            return bool(meta) and meta[0]["schema_version"] == SCHEMA_VERSION and bool(
                meta[0]["grouped"]) and meta[0]["state"] == "complete"

        return self._per_write("grouped", read)

    def write_delta(self, ruleset: RuleSet, new_events: EventTable) -> Replayed:
        """Add events, replaying only the connected groups they touch: the group buckets of
        the identifiers they carry are read (index seeks), grouped with the new events, and
        only the touched groups' identifiers, edges, profiles and log entries are deleted
        and written again; the touched groups move into new buckets. Marked unfinished
        meanwhile, so a killed delta is finished by the next load (a whole write)."""
        from identigraph.engine.groups import event_groups, identifier_keys
        from identigraph.engine.resolver import resolve
        from identigraph.engine.state import StateRows

        with store_errors(self.location, writing=True):
            keys = pc.unique(identifier_keys(new_events, ruleset)).to_pylist()
            _, _, found = self._bucket_events(keys, blocked_too=False)
            table = joined([t for _, t in found])
            before = EventTable() if table is None else EventTable(table)
            of_old = np.repeat(np.array([b for b, _ in found], np.int64),
                               [t.num_rows for _, t in found])
            n_old = len(before)
            everything = EventTable.concat([before, new_events])
            groups = event_groups(everything, ruleset)
            touched = np.isin(groups, groups[n_old:])
            old_at, kept_at = np.flatnonzero(touched[:n_old]), np.flatnonzero(~touched[:n_old])
            events = everything.take(np.flatnonzero(touched))
            state = StateRows(events, resolve(events, ruleset))
            res = state.res
            ident_keys = res.ident_key  # built from kinds and values: once
            blocked_keys = ident_keys.filter(pa.array(res.ident_blocked))
            old = everything.take(old_at)
            old_keys = pc.unique(identifier_keys(old, ruleset))
            old_keys = old_keys.filter(pc.invert(pc.is_in(old_keys, value_set=blocked_keys)))
            existing = [r["key"] for r in self._read("identifiers_existing",
                                                      keys=blocked_keys.to_pylist())]
            stored = np.asarray(pc.is_in(ident_keys, value_set=pa.array(
                existing, pa.string())).to_numpy(zero_copy_only=False), np.bool_)
            first = int(self._read("meta_read")[0]["next_bucket"])
            placement = place(events, ruleset, first, groups[touched])
            emptied = sorted({b for b, _ in found} - set(of_old[kept_at].tolist()))
            with self._session() as session:
                self._ensure_schema(session)  # a store from before the event id buckets
            writer = Writer(self.driver, self.database, self.batch_size, self.workers,
                            self.progress, self.event_chunk_rows)
            generation = writer.statement("meta_begin", ruleset=ruleset.model_dump_json(),
                                          schema_version=SCHEMA_VERSION)
            writer.schema("derived_schema")  # a store from before the log's event index
            writer.append_events(new_events, generation)
            # the touched groups into new buckets, then the buckets they left without them
            writer.rows("group_buckets", placement.batches(), undo=False)
            writer.rows("group_buckets", group_batches(before.take(kept_at), of_old[kept_at],
                                                       groups[kept_at]), undo=False)
            writer.statement("drop_group_buckets", buckets=emptied)
            writer.clear_groups(old_keys.to_pylist(), old.column("event_id").to_pylist())
            writer.write_state(state, stored, placement)
            self._rebucket_blocked(writer, ident_keys.filter(pa.array(stored)), placement,
                                   emptied)
            writer.statement("meta_end", next_bucket=placement.after(first), ranked=False)
            self.timings = writer.timings
            return Replayed(events=len(events), touched=len(np.unique(groups[old_at])),
                            groups=len(np.unique(groups[touched])))

    @staticmethod
    def _rebucket_blocked(writer: Writer, keys: pa.Array, placement: Placement,
                          emptied: list[int]) -> None:
        """The bucket lists of a delta's blocked values stored before (not written again):
        without the emptied buckets, with the ones their groups moved into."""
        if not len(keys):
            return
        lists = placement.blocked_buckets(pa.table({"key": keys, "blocked": pa.repeat(
            pa.scalar(True), len(keys))}))
        writer.statement("update_blocked_buckets", key=keys.to_pylist(),
                         buckets=lists.to_pylist(), emptied=emptied)

    def _bucket_events(self, keys: Sequence[str], *, blocked_too: bool
                       ) -> tuple[bool, bool, list[tuple[int, pa.Table]]]:
        """The group buckets holding these identifiers' events (with ``blocked_too``, those
        of every group a blocked one's events are in), by index seeks, and in the same round
        trip whether the group index is whole (``grouped``); ``unindexed``: a blocked one has
        no bucket list (a store written before them). Each bucket's number and events."""
        row = self._read("events_of_keys", keys=list(keys), blocked_too=blocked_too,
                         schema_version=SCHEMA_VERSION)[0]
        return bool(row["grouped"]), bool(row["unindexed"]), [
            (int(b), chunk_table(data)) for b, data in row["found"] if b is not None]

    def unfinished(self) -> bool:
        """True when a write began and did not end (killed, or its replay failed): the
        derived state may be partial, and the next load must rewrite it."""
        rows = self._read("meta_read")
        return bool(rows) and rows[0]["state"] == "writing"

    # -- reading ---------------------------------------------------------------------------
    def identifier(self, key: str) -> Identifier | None:
        """One identifier by key."""
        rows = self._read("identifier", key=key)
        if not rows:
            return None
        r = rows[0]
        kind, _, value = r["key"].partition(":")
        return Identifier(key=r["key"], kind=kind, value=value, profile_id=r["profile_id"],
                          blocked=bool(r["blocked"]), consent=r["consent"])

    def profiles(self) -> list[Profile]:
        """Every profile, by id."""
        return list(self.profiles_where(ProfileQuery()))

    def profiles_where(self, query: ProfileQuery) -> Iterator[Profile]:
        """The query's profiles, as the server streams them (the driver fetches a batch at
        a time; the transaction stays open until the last one is read)."""
        name = "profiles_by_id" if query.sort == "id" else "profiles_by_size"
        limit = NO_LIMIT if query.limit is None else query.limit
        with store_errors(self.location), self._session() as session, \
                session.begin_transaction() as tx:
            result = tx.run(cypher.load(name), min_size=query.min_size, kind=query.kind,
                            limit=limit)
            for record in result:
                yield read.profile(record["p"])

    def profile(self, profile_id: str) -> Profile | None:
        """One profile by id."""
        rows = self._read("profile", profile_id=profile_id)
        return read.profile(rows[0]["p"]) if rows else None

    def edges_touching(self, keys: Sequence[str]) -> list[Edge]:
        """Edges with either end among ``keys``, ordered like the embedded store's."""
        rows = self._read("edges_touching", keys=list(keys))
        rows.sort(key=lambda r: (r["ts"], r["event_id"], r["src"], r["dst"], r["seq"]))
        return [read.edge(r["src"], r["dst"], r["event_id"], r["type"], r["channel"], r["ts"],
                          r["rule"], r["merges"]) for r in rows]

    def cross_profile_edges(self, rules: Sequence[str]) -> list[CrossEdge]:
        """Edges of these rules whose ends are on two different profiles, ordered like the
        embedded store's."""
        rows = self._read("cross_profile_edges", rules=list(rules))
        rows.sort(key=lambda r: (r["ts"], r["event_id"], r["src"], r["dst"], r["seq"]))
        return [CrossEdge(edge=read.edge(r["src"], r["dst"], r["event_id"], r["type"],
                                         r["channel"], r["ts"], r["rule"], r["merges"]),
                          from_profile=r["src_profile"], to_profile=r["dst_profile"])
                for r in rows]

    def log(self, profile_ids: Sequence[str]) -> list[LogEntry]:
        """Profile-level changes of these profiles, by (ts, event_id)."""
        rows = self._read("log", profile_ids=list(profile_ids))
        rows.sort(key=lambda r: (r["ts"], r["event_id"], r["seq"]))
        return [read.log_entry(r) for r in rows]

    def _per_write(self, name: str, read: Callable[[], T]) -> T:
        """``read()``, once per finished write (a long-running reader such as ``serve``
        keeps it until the next load ends; while one writes, it is read each time)."""
        generation = self.write_generation()
        held = self._held.get(name)
        if generation is not None and held is not None and held[0] == generation:
            return cast(T, held[1])
        value = read()
        if generation is not None:
            self._held[name] = (generation, value)
        return value

    def _answer_events(self) -> pa.Table | None:
        """The event table for answers, read once per finished write: a long-running reader
        filters the one it holds instead of fetching every chunk per answer."""
        return self._per_write("events", self._event_table)

    def events_for(self, keys: Sequence[str]) -> list[EventRecord]:
        """Events carrying any of these identifiers, oldest first: the events of their
        groups' buckets (a blocked one's: every group its events are in), by index seeks in
        one statement, filtered by Arrow as in the embedded store. A store without the group
        index, or a blocked identifier without its list of buckets, reads every event."""
        grouped, unindexed, found_buckets = self._bucket_events(keys, blocked_too=True)
        if grouped and not unindexed:
            table = joined([t for _, t in found_buckets])
        else:
            table = self._answer_events()
        found = [] if table is None else events_carrying(table, keys)
        return sorted(found, key=lambda e: (e.ts, e.event_id))

    def event(self, event_id: str) -> EventRecord | None:
        """One stored event by id: an index seek per load on its id buckets (a store with
        events of a load that has none reads its chunks instead)."""
        sets = self._buckets()
        if sets is None:
            table = self._answer_events()
        else:
            table = bucket_events([r["data"] for r in self._read(
                "event_buckets", **probes(sets, event_id))])
        return None if table is None else event_with_id(table, event_id)

    def _buckets(self) -> dict[int, int] | None:
        """Generation -> bucket count of every load's id buckets, read once per finished
        write; None when some stored events have none (written before buckets, or by a
        load cut short)."""
        def read() -> dict[int, int] | None:
            row = self._read("event_bucket_sets")[0]
            sets = {int(g): int(n) for g, n in row["sets"]}
            legacy = self._read("has_events")[0]["legacy"]
            return None if legacy or set(row["chunked"]) - set(sets) else sets

        return self._per_write("buckets", read)

    def write_generation(self) -> int | None:
        """The number of the last finished write (None while one is writing): an answer
        read between two equal numbers saw one finished state."""
        rows = self._read("meta_read")
        if not rows:
            return 0
        if rows[0]["state"] == "writing":
            return None
        return int(rows[0]["generation"] or 0)

    def state_table(self, name: str) -> pa.Table:
        """One derived table, derived again from the stored events by the embedded engine:
        the rows this store's state was written from (the graph does not keep the tables'
        row order)."""
        if self._state is None:
            rs = self.stored_ruleset()
            events = self.events()
            self._state = (StateTables(lambda n: SCHEMAS[n].empty_table(), ()) if rs is None
                           else StateRows(events, resolve(events, rs)))
        return self._state.table(name)

    def stats(self) -> dict[str, object]:
        """Counts for ``identigraph stats``, with the embedded store's keys."""
        rs = self.stored_ruleset()
        counts = self._read("stats_counts")[0]
        return {
            "store": self.location,
            "backend": "neo4j",
            "ruleset": rs.name if rs else None,
            "events": counts["events"],
            "identifiers": self._identifier_counts(),
            "profiles": counts["profiles"],
            "merged_profiles": counts["merged_profiles"],
            "edges": {r["rule"]: r["n"] for r in self._read("stats_edges")},
            "largest_groups": self._largest_groups(rs),
        }

    def _largest_groups(self, rs: RuleSet | None, top: int = 5) -> list[dict[str, object]]:
        """The embedded store's ``largest_groups``: Neo4j keeps no group ids, so the groups
        are found among the events of the ``top`` group buckets whose largest groups are
        largest (groupindex.py; in a store whose buckets do not all record it yet, among
        every stored event)."""
        from collections import Counter

        from identigraph.engine.groups import identifier_keys

        if rs is None:
            return []
        row = self._read("largest_group_buckets", top=top, schema_version=SCHEMA_VERSION)[0]
        table = joined([chunk_table(data) for data in row["found"]]) if row[
            "ranked"] else self._event_table()
        if table is None:
            return []
        out: list[dict[str, object]] = []
        for n, group in largest_groups(EventTable(table), rs, top):
            keys = pc.unique(identifier_keys(group, rs)).to_pylist()
            found = [r for r in self._read("group_identifiers", keys=keys) if not r["blocked"]]
            in_group = set(group.column("event_id").to_pylist())
            linked: Counter[str] = Counter()
            for e in self.edges_touching(keys):
                if e.event_id in in_group:
                    linked.update((e.from_, e.to))
            most = sorted(linked.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
            out.append({"events": int(n), "identifiers": len(found),
                        "profiles": len({r["profile_id"] for r in found} - {None}),
                        "most_linked": dict(most)})
        return out

    def _identifier_counts(self) -> dict[str, int]:
        """Identifiers by kind, kinds without any left out (as the embedded GROUP BY)."""
        return {r["kind"]: r["n"] for r in self._read("stats_identifiers")}

    def close(self) -> None:
        """Close the driver's connections."""
        self.driver.close()
