"""``load --fast`` (``load(..., fast=True)``): memory traded for time, the same store either
way (issue 16's benchmark: bench_compare_load.py --fast)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from support import cli, example_files, load_events

from identigraph import heap
from identigraph.api import load
from identigraph.graph.embedded.memory import MEMORY_ENV, bulk_memory
from identigraph.graph.open import open_store

#: the embedded store's tables a load writes
TABLES = ("identifiers", "edges", "profiles", "profile_log", "events", "lookup")


def _rows(store: str, table: str) -> list[tuple[object, ...]]:
    with duckdb.connect(store, read_only=True) as db:
        return sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_a_fast_load_and_a_delta_after_it_write_the_same_store_as_default_loads(
        tmp_path: Path) -> None:
    files = example_files()
    assert len(files) > 2
    lean, fast = str(tmp_path / "lean.db"), str(tmp_path / "fast.db")
    # a first load of all but the last file, then a delta of the last one (late events)
    for location, quick in ((lean, False), (fast, True)):
        load_events(location, files[:-1], fast=quick)
        report = load_events(location, files[-1], fast=quick)
        assert report.incremental
    for table in TABLES:
        assert _rows(fast, table) == _rows(lean, table), table
    assert _rows(lean, "profiles")  # something to compare


def test_load_fast_on_the_command_line_reports_what_a_default_load_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [str(p) for p in example_files()]
    trims: list[int] = []
    monkeypatch.setattr(heap, "_libc_function",
                        lambda name: trims.append if name == "malloc_trim" else None)
    reports, trimmed = [], []
    for name, extra in (("lean", []), ("fast", ["--fast"])):
        trims.clear()
        out = cli("load", *files, "--json", *extra, store=str(tmp_path / f"{name}.db"))
        assert out.returncode == 0, out.stderr
        reports.append(json.loads(out.stdout))
        trimmed.append(len(trims))
    assert reports[0] == reports[1]
    assert reports[1]["events_added"] > 0
    assert trimmed[0] > 0 and trimmed[1] == 0  # --fast reached the load: nothing handed back


def test_a_fast_load_keeps_freed_memory_and_a_default_one_hands_it_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(heap, "_libc_function",
                        lambda name: trims.append if name == "malloc_trim" else None)
    files = example_files()
    for name, fast in (("fast", True), ("lean", False)):
        store = open_store(str(tmp_path / f"{name}.db"))  # a new store's empty tables: not
        trims.clear()  # the load's
        try:
            load(store, files, fast=fast)
        finally:
            store.close()
        if fast:
            assert trims == []
        else:
            assert trims and set(trims) == {0}  # malloc_trim(0): every free page


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "256MB"), ("2GB", "256MB"), ("100MB", "100MB")])
def test_within_a_fast_load_duckdb_writes_with_256mb_or_a_smaller_setting(
        monkeypatch: pytest.MonkeyPatch, setting: str | None, expected: str) -> None:
    if setting is None:
        monkeypatch.delenv(MEMORY_ENV, raising=False)
    else:
        monkeypatch.setenv(MEMORY_ENV, setting)
    with heap.roomy():
        assert heap.is_roomy()
        assert bulk_memory() == expected
    assert not heap.is_roomy()
    assert bulk_memory() == "48MB"
