"""Embedded stores an earlier version wrote are upgraded when opened (same answers, later
loads work); one a newer version wrote is refused in one line (exit 3)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from support import cli, cli_json, cli_load, example_files, write_jsonl

from identigraph.graph.embedded.store import SCHEMA_VERSION

_TABLES = ("events", "identifiers", "edges", "profiles", "profile_log")


def _meta(path: Path, key: str) -> str | None:
    with duckdb.connect(str(path), read_only=True) as db:
        row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


#: the lookup indexes schemas 3 and 4 kept (schema 5 reads through ``lookup`` instead)
_INDEXES = (("identifiers", "key"), ("profiles", "profile_id"), ("edges", "src"),
            ("edges", "dst"), ("profile_log", "profile_id"), ("events", "event_id"),
            ("events", "email"), ("events", "phone"), ("events", "external_id"))


def _as_version_4(db: duckdb.DuckDBPyConnection) -> None:
    """What schema 4 kept: ART indexes, no ``lookup`` table, rows in load order."""
    db.execute("DROP TABLE lookup")
    db.execute("DELETE FROM meta WHERE key = 'lookup_hash'")
    db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")


def _as_version_2(path: Path) -> None:
    """What 0.2 wrote: no connected groups (``grp`` columns, ``next_group``), version 2."""
    with duckdb.connect(str(path)) as db:
        _as_version_4(db)
        for table in _TABLES:
            db.execute(f"ALTER TABLE {table} DROP COLUMN grp")
        db.execute("DELETE FROM meta WHERE key = 'next_group'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def _columns(path: Path, column: str) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as db:
        return {r[0] for r in db.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = ?", [column]).fetchall()}


def test_a_version_2_store_is_upgraded_on_open(tmp_path: Path) -> None:
    """A query upgrades the store once and answers as before; the next load numbers the
    groups (a whole replay) and later loads replay only what they touch."""
    store = tmp_path / "old.db"
    cli_load(*map(str, example_files()), store=str(store))
    before = cli_json("profiles", store=str(store))
    shown = cli_json("show", "lee.chen@example.com", store=str(store))
    _as_version_2(store)
    assert _columns(store, "grp") == set()
    assert cli_json("profiles", store=str(store)) == before
    assert _meta(store, "schema_version") == SCHEMA_VERSION
    assert _columns(store, "grp") == {*_TABLES, "lookup"}
    assert cli_json("show", "lee.chen@example.com", store=str(store)) == shown
    late = write_jsonl(tmp_path / "late.jsonl", [
        {"event_id": "late-1", "timestamp": "2025-05-01T10:00:00Z", "type": "form_submit",
         "email": "late@example.com", "phone": "+14155550199"}])
    first = cli_load(str(late), store=str(store))
    assert first["events_added"] == 1 and not first["replayed"]["incremental"]
    assert len(cli_json("profiles", store=str(store))) == len(before) + 1
    later = write_jsonl(tmp_path / "later.jsonl", [
        {"event_id": "late-2", "timestamp": "2025-05-02T10:00:00Z", "type": "form_submit",
         "email": "late@example.com", "external_id": "CRM-9"}])
    second = cli_load(str(later), store=str(store))
    assert second["events_added"] == 1 and second["replayed"]["incremental"]


def test_a_version_3_store_gains_the_namespace_ids_column_on_open(tmp_path: Path) -> None:
    """Schema 3 (before id namespaces): its profiles gain ``other_ids`` on open and every
    answer stays as it was; the next load writes on."""
    store = tmp_path / "old.db"
    cli_load(*map(str, example_files()), store=str(store))
    before = cli_json("profiles", store=str(store))
    with duckdb.connect(str(store)) as db:
        _as_version_4(db)
        db.execute("ALTER TABLE profiles DROP COLUMN other_ids")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    assert "profiles" not in _columns(store, "other_ids")
    assert cli_json("profiles", store=str(store)) == before
    assert _meta(store, "schema_version") == SCHEMA_VERSION
    assert "profiles" in _columns(store, "other_ids")
    late = write_jsonl(tmp_path / "late.jsonl", [
        {"event_id": "late-1", "timestamp": "2025-05-01T10:00:00Z", "type": "form_submit",
         "email": "late@example.com", "phone": "+14155550199"}])
    assert cli_load(str(late), store=str(store))["events_added"] == 1
    assert len(cli_json("profiles", store=str(store))) == len(before) + 1


def test_a_version_4_store_with_lookup_indexes_answers_the_same(tmp_path: Path) -> None:
    """Schema 4 (nine ART indexes, rows in load order): a query upgrades it (indexes gone,
    rows in group order, a ``lookup`` table) and show, how, explain, profile cards and
    event lookups answer exactly as before; the next load is a delta."""
    store = tmp_path / "old.db"
    cli_load(*map(str, example_files()), store=str(store))
    profiles = cli_json("profiles", store=str(store))
    asks = [("show", "lee.chen@example.com"), ("how", "lee.chen@example.com"),
            ("explain", "lee.chen@example.com", profiles[-1]["identifiers"][0]["value"]),
            ("show", profiles[0]["profile_id"])]
    before = [cli_json(*ask, store=str(store)) for ask in asks]
    with duckdb.connect(str(store)) as db:
        _as_version_4(db)
        for table in _TABLES:  # rows in another order than by group
            db.execute(f"CREATE TABLE {table}_x AS SELECT * FROM {table} ORDER BY random()")
            db.execute(f"DROP TABLE {table}")
            db.execute(f"ALTER TABLE {table}_x RENAME TO {table}")
        for table, column in _INDEXES:
            db.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")
    assert [cli_json(*ask, store=str(store)) for ask in asks] == before
    assert _meta(store, "schema_version") == SCHEMA_VERSION
    with duckdb.connect(str(store), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM duckdb_indexes()").fetchone() == (0,)
    late = write_jsonl(tmp_path / "late.jsonl", [
        {"event_id": "late-1", "timestamp": "2025-05-01T10:00:00Z", "type": "form_submit",
         "email": "lee.chen@example.com", "external_id": "CRM-LATE"}])
    assert cli_load(str(late), store=str(store))["replayed"]["incremental"]
    once = tmp_path / "once.db"
    cli_load(*map(str, example_files()), str(late), store=str(once))
    assert ([cli_json(*ask, store=str(store)) for ask in asks]
            == [cli_json(*ask, store=str(once)) for ask in asks])


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    """Exit 3 with one line saying what to do, for queries and loads; the file is untouched."""
    store = tmp_path / "new.db"
    cli_load(str(example_files()[0]), store=str(store))
    newer = str(int(SCHEMA_VERSION) + 1)
    with duckdb.connect(str(store)) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [newer])
    for args in (["profiles"], ["show", "lee.chen@example.com"],
                 ["load", str(example_files()[0])]):
        out = cli(*args, store=str(store))
        assert out.returncode == 3, (args, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1
        assert "newer identigraph" in out.stderr and "new store" in out.stderr
    assert _meta(store, "schema_version") == newer
