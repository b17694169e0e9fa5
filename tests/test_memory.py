"""Memory limits that fit the data (issue 17, class 6): ``profiles`` streams past 300k
profiles within a small setting (DuckDB sorts and spills), and the setting is checked."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from support import cli, load_events, write_jsonl

from identigraph.graph.embedded.memory import MEMORY_ENV, bulk_memory

PROFILES = 320_000
#: profiles of one to four identifiers, written straight into the table (a load of 320k
#: profiles would take minutes; the query does not care how they got there)
_FILL = f"""INSERT INTO profiles BY NAME SELECT
  'p_' || lpad(i::VARCHAR, 16, '0') AS profile_id, 'e' || i AS created_by,
  ['u' || i || '@example.com'] AS emails,
  CASE WHEN i % 3 = 0 THEN ['+1415' || lpad(i::VARCHAR, 7, '0')] ELSE [] END AS phones,
  CASE WHEN i % 7 = 0 THEN ['cust-' || i, 'crm-' || i] ELSE [] END AS external_ids,
  [] AS merged_ids, [] AS other_ids, 'subscribed' AS email_consent
FROM range({PROFILES}) t(i)"""


def _first_event(store: str, folder: Path) -> None:
    load_events(store, write_jsonl(folder / "e.jsonl", [
        {"event_id": "e", "timestamp": "2025-01-01T00:00:00Z", "type": "form_submit",
         "email": "first@example.com"}]))


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store of 320,001 profiles."""
    root = tmp_path_factory.mktemp("memory")
    store = str(root / "s.db")
    _first_event(store, root)
    with duckdb.connect(store) as db:
        db.execute(_FILL)
    return store


@pytest.mark.slow  # writes 320k JSON lines (~7 s of CPU): make test runs it
def test_profiles_past_300k_stream_within_128mb(big_store: str) -> None:
    """128 MB is enough for 320k profiles sorted by size (the sort spills to disk; at 64 MB,
    the old fixed limit, it sometimes failed): every profile comes out, biggest first."""
    out = cli("profiles", "--jsonl", "--sort", "size", store=big_store,
              env={MEMORY_ENV: "128MB"}, process=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == PROFILES + 1
    assert '"external_ids": ["cust-0", "crm-0"]' in lines[0]  # 4 identifiers: the biggest


@pytest.mark.slow  # the 320k-profile store (make test runs it)
def test_too_little_memory_names_the_setting(big_store: str) -> None:
    """A setting too small for the store: exit 3 with one line saying which setting to
    raise (not "damaged")."""
    out = cli("profiles", "--sort", "size", store=big_store, env={MEMORY_ENV: "16MB"},
              process=True)
    assert out.returncode == 3, out
    assert out.stderr.count("\n") == 1 and "damaged" not in out.stderr
    assert "out of memory" in out.stderr and f"{MEMORY_ENV}=16MB" in out.stderr


def test_a_setting_that_is_no_size_is_a_usage_error(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    _first_event(store, tmp_path)
    out = cli("profiles", store=store, env={MEMORY_ENV: "lots"})
    assert out.returncode == 2, out
    assert f"{MEMORY_ENV}='lots' is not a size" in out.stderr


def test_a_first_load_refuses_a_setting_that_is_no_size_before_writing(
        tmp_path: Path) -> None:
    """A first load writes its tables with the setting (when smaller than 256 MB), so a
    setting that is no size is a usage error there too, and no store is left behind."""
    store = tmp_path / "new.db"
    events = write_jsonl(tmp_path / "e.jsonl", [
        {"event_id": "e", "timestamp": "2025-01-01T00:00:00Z", "type": "form_submit",
         "email": "first@example.com"}])
    out = cli("load", str(events), store=str(store), env={MEMORY_ENV: "lots"}, process=True)
    assert out.returncode == 2, out.stderr
    assert f"{MEMORY_ENV}='lots' is not a size" in out.stderr
    assert not store.exists()


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "48MB"), ("2GB", "48MB"), ("32MB", "32MB"), ("0.04GiB", "0.04GiB"),
    ("300000KB", "48MB")])
def test_a_full_load_writes_its_tables_with_48mb_or_a_smaller_setting(
        monkeypatch: pytest.MonkeyPatch, setting: str | None, expected: str) -> None:
    """A table written whole gets 48 MB (both threads write it, in any row order), never
    more than the user allowed DuckDB."""
    if setting is None:
        monkeypatch.delenv(MEMORY_ENV, raising=False)
    else:
        monkeypatch.setenv(MEMORY_ENV, setting)
    assert bulk_memory() == expected


def test_a_first_load_within_a_small_setting_keeps_every_event(tmp_path: Path) -> None:
    """A first load under a 32 MB setting writes its tables within it and loses nothing."""
    events = [{"event_id": f"e{i}", "timestamp": f"2025-01-01T00:00:{i % 60:02d}Z",
               "type": "form_submit", "email": f"u{i % 500}@example.com"}
              for i in range(3000)]
    store = str(tmp_path / "s.db")
    out = cli("load", str(write_jsonl(tmp_path / "e.jsonl", events)), "--json", store=store,
              env={MEMORY_ENV: "32MB"}, process=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["events_added"] == len(events)
    assert len(cli("profiles", "--jsonl", store=store).stdout.splitlines()) == 500
