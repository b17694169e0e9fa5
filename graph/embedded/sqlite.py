"""The embedded store: one SQLite file, written in one transaction per load.

A crash mid-load rolls back to the last committed load; nothing committed is lost.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from identigraph.errors import StoreError
from identigraph.events import EventTable
from identigraph.graph.embedded.chunks import (
    chunk_table,
    event_chunks,
    events_carrying,
    table_events,
)
from identigraph.graph.paths import bfs_shortest_paths
from identigraph.graph.records import Edge, EventRecord, Identifier, LogEntry, Profile
from identigraph.graph.state import StateRows
from identigraph.graph.store import MAX_HOPS
from identigraph.graph.timefmt import iso
from identigraph.rules.model import RuleSet

SCHEMA_VERSION = "1"
APP_ID = 0x49445447  # "IDTG": marks the file as an identigraph store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event_chunks (
  chunk INTEGER PRIMARY KEY, rows INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS identifiers (
  key TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, profile_id TEXT,
  blocked INTEGER NOT NULL, consent TEXT, consent_event TEXT);
CREATE TABLE IF NOT EXISTS edges (
  src TEXT NOT NULL, dst TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
  channel TEXT, ts INTEGER NOT NULL, rule TEXT NOT NULL, merges INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
  profile_id TEXT NOT NULL, created_by TEXT NOT NULL, created_for TEXT NOT NULL,
  emails TEXT NOT NULL, phones TEXT NOT NULL, external_ids TEXT NOT NULL,
  merged_ids TEXT NOT NULL, email_consent TEXT, sms_consent TEXT,
  created_ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profile_log (
  profile_id TEXT NOT NULL, event_id TEXT NOT NULL, ts INTEGER NOT NULL, action TEXT NOT NULL,
  identifier TEXT, other TEXT);
"""

_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS identifiers_key ON identifiers(key);
CREATE INDEX IF NOT EXISTS edges_src ON edges(src);
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst);
CREATE UNIQUE INDEX IF NOT EXISTS profiles_id ON profiles(profile_id);
CREATE INDEX IF NOT EXISTS profile_log_profile ON profile_log(profile_id);
"""
_DERIVED = ("identifiers", "edges", "profiles", "profile_log")
_INDEX_NAMES = [line.split()[-3] for line in _INDEXES.strip().splitlines()]


def _profile(row: sqlite3.Row) -> Profile:
    return Profile(
        profile_id=row["profile_id"], emails=json.loads(row["emails"]),
        phones=json.loads(row["phones"]), external_ids=json.loads(row["external_ids"]),
        email_consent=row["email_consent"], sms_consent=row["sms_consent"],
        created_by=row["created_by"], created_for=row["created_for"],
        merged_ids=json.loads(row["merged_ids"]),
    )


def _edge(row: sqlite3.Row) -> Edge:
    return Edge(from_=row["src"], to=row["dst"], event_id=row["event_id"],
                event_type=row["type"], channel=row["channel"], timestamp=iso(row["ts"]),
                rule=row["rule"], merges=bool(row["merges"]), ts=row["ts"])


class SqliteStore:
    """The default store: a single local file, no server."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        if not self.path.exists() and not create:
            raise StoreError(f"no store at {self.path} (run `identigraph load` first)")
        if self.path.is_dir():
            raise StoreError(f"store path {self.path} is a folder, not a store file")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
            tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not an identigraph store ({exc})") from exc
        if tables and app_id != APP_ID:
            raise StoreError(f"{self.path} is an SQLite file but not an identigraph store")
        # rollback journal: a crash mid-load rolls back to the last committed load
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MiB: index builds sort in memory
        self.db.execute("PRAGMA temp_store=MEMORY")
        if not tables:
            self.db.execute(f"PRAGMA application_id={APP_ID}")
            self.db.executescript(_SCHEMA + _INDEXES)  # autocommit: safe outside a transaction
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    # -- writing ---------------------------------------------------------------------------
    def stored_ruleset(self) -> RuleSet | None:
        """The rule set of the last load, if any."""
        row = self.db.execute("SELECT value FROM meta WHERE key='ruleset'").fetchone()
        return None if row is None else RuleSet.model_validate_json(row[0])

    def _chunks(self, columns: list[str] | None = None) -> Iterator[pa.Table]:
        for (data,) in self.db.execute("SELECT data FROM event_chunks ORDER BY chunk"):
            yield chunk_table(data, columns)

    def event_ids(self) -> set[str]:
        """Every stored event id."""
        out: set[str] = set()
        for table in self._chunks(["event_id"]):
            out.update(table.column("event_id").to_pylist())
        return out

    def events(self) -> EventTable:
        """Every stored event, in insertion order."""
        out = EventTable()
        for table in self._chunks():
            out.extend(table_events(table))
        return out

    def write(self, ruleset: RuleSet, new_events: EventTable, state: StateRows) -> None:
        """Append events and rewrite the derived tables in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('ruleset', ?)",
                       (ruleset.model_dump_json(),))
            for name in _INDEX_NAMES:  # bulk insert, then index: several times faster
                db.execute(f"DROP INDEX IF EXISTS {name}")
            db.executemany("INSERT INTO event_chunks (rows, data) VALUES (?, ?)",
                           event_chunks(new_events))
            for table in _DERIVED:
                db.execute(f"DELETE FROM {table}")
            db.executemany("INSERT INTO identifiers VALUES (?,?,?,?,?,?,?)", state.identifiers())
            db.executemany("INSERT INTO edges VALUES (?,?,?,?,?,?,?,?)", state.edges())
            db.executemany("INSERT INTO profiles VALUES (?,?,?,?,?,?,?,?,?,?)", state.profiles())
            db.executemany("INSERT INTO profile_log VALUES (?,?,?,?,?,?)", state.log())
            for statement in _INDEXES.strip().splitlines():
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- reading ---------------------------------------------------------------------------
    def identifier(self, key: str) -> Identifier | None:
        """One identifier by key."""
        row = self.db.execute("SELECT * FROM identifiers WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        return Identifier(key=row["key"], kind=row["kind"], value=row["value"],
                          profile_id=row["profile_id"], blocked=bool(row["blocked"]),
                          consent=row["consent"])

    def profiles(self) -> list[Profile]:
        """Every profile, by id."""
        rows = self.db.execute("SELECT * FROM profiles ORDER BY profile_id")
        return [_profile(r) for r in rows]

    def profile(self, profile_id: str) -> Profile | None:
        """One profile by id."""
        row = self.db.execute(
            "SELECT * FROM profiles WHERE profile_id=?", (profile_id,)).fetchone()
        return None if row is None else _profile(row)

    def edges_touching(self, keys: Sequence[str]) -> list[Edge]:
        """Edges with either end among ``keys``."""
        out: dict[int, Edge] = {}
        for start in range(0, len(keys), 500):
            part = list(keys[start:start + 500])
            marks = ",".join("?" * len(part))
            for row in self.db.execute(
                f"SELECT rowid, * FROM edges WHERE src IN ({marks}) "
                f"UNION SELECT rowid, * FROM edges WHERE dst IN ({marks})", part + part,
            ):
                out[row["rowid"]] = _edge(row)
        return sorted(out.values(), key=lambda e: (e.ts, e.event_id, e.from_, e.to))

    def shortest_paths(self, a: str, b: str, merging_only: bool) -> list[list[Edge]]:
        """All shortest paths, breadth first over the edge indexes."""
        return bfs_shortest_paths(self.edges_touching, a, b, merging_only, MAX_HOPS)

    def log(self, profile_ids: Sequence[str]) -> list[LogEntry]:
        """Profile-level changes of these profiles."""
        marks = ",".join("?" * len(profile_ids))
        rows = self.db.execute(
            f"SELECT * FROM profile_log WHERE profile_id IN ({marks}) ORDER BY ts, event_id",
            list(profile_ids),
        )
        return [LogEntry(profile_id=r["profile_id"], event_id=r["event_id"],
                         timestamp=iso(r["ts"]), ts=r["ts"], action=r["action"],
                         identifier=r["identifier"], other=r["other"]) for r in rows]

    def events_for(self, keys: Sequence[str]) -> list[EventRecord]:
        """Events carrying any of these identifiers, oldest first."""
        found: list[EventRecord] = []
        for table in self._chunks():
            found.extend(events_carrying(table, keys))
        return sorted(found, key=lambda e: (e.ts, e.event_id))

    def stats(self) -> dict[str, object]:
        """Counts for ``identigraph stats``."""
        q = self.db.execute
        rs = self.stored_ruleset()
        return {
            "store": self.location,
            "backend": "embedded",
            "ruleset": rs.name if rs else None,
            "events": q("SELECT coalesce(sum(rows), 0) FROM event_chunks").fetchone()[0],
            "identifiers": dict(q(
                "SELECT kind, count(*) FROM identifiers GROUP BY kind ORDER BY kind").fetchall()),
            "profiles": q("SELECT count(*) FROM profiles").fetchone()[0],
            "merged_profiles": q(
                "SELECT count(*) FROM profiles WHERE merged_ids != '[]'").fetchone()[0],
            "edges": dict(q(
                "SELECT rule, count(*) FROM edges GROUP BY rule ORDER BY rule").fetchall()),
        }

    def close(self) -> None:
        """Close the file."""
        self.db.close()
