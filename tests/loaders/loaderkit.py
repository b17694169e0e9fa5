"""Helpers for the export loader tests: fixtures, loads through the API, stored results."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from support import cli

from identigraph.api import load
from identigraph.events import EventTable
from identigraph.graph.open import open_store
from identigraph.loaders.batch import ReadOptions
from identigraph.loaders.report import LoadReport

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COUNTS = ("rows_read", "loaded", "loaded_with_warnings", "rejected", "duplicates")


def micros(iso: str) -> int:
    """UTC microseconds of an ISO 8601 time (how the store keeps event times)."""
    return int(datetime.fromisoformat(iso).timestamp()) * 1_000_000


def fixture(name: str) -> Path:
    """Path of a fixture export."""
    return FIXTURES / name


def balanced(summary: dict[str, Any]) -> bool:
    """The summary's outcomes add up to the rows read, in total and per file."""
    parts = ("loaded", "loaded_with_warnings", "rejected", "duplicates")
    files_ok = all(sum(f[k] for k in parts) == f["rows_read"] for f in summary["files"])
    return files_ok and sum(summary[k] for k in parts) == summary["rows_read"]


@dataclass(frozen=True)
class P:
    """A profile as the tests compare it: identifiers and consent, no profile ids. ``ids``
    are its identifiers of every kind but email and phone, as sorted ``kind:value`` keys."""

    ids: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    email_consent: str | None
    sms_consent: str | None


def profile_set(store_location: str) -> set[P]:
    """Every profile of a store, as comparable values."""
    store = open_store(store_location, create=False)
    try:
        ids: dict[str, list[str]] = {}
        for row in store.state_table("identifiers").to_pylist():
            if row["profile_id"] is not None and row["kind"] not in ("email", "phone"):
                ids.setdefault(row["profile_id"], []).append(row["key"])
        return {P(tuple(sorted(ids.get(p.profile_id, []))), tuple(p.emails), tuple(p.phones),
                  p.email_consent, p.sms_consent) for p in store.profiles()}
    finally:
        store.close()


def api_load(store_location: str, paths: list[Path], fmt: str = "auto",
             **options: Any) -> LoadReport:
    """Load files through the Python API."""
    store = open_store(store_location)
    try:
        return load(store, paths, fmt=fmt, options=ReadOptions(**options))
    finally:
        store.close()


def stored_events(store_location: str) -> dict[str, dict[str, Any]]:
    """Stored events by id, as dicts of their fields."""
    store = open_store(store_location, create=False)
    try:
        table: EventTable = store.events()
    finally:
        store.close()
    return {str(row["event_id"]): row for row in table.table.to_pylist()}


def rejects(path: Path) -> list[tuple[str, int, str, str, str, str]]:
    """Rows of a rejects CSV: (file name, line, column, value, reason, severity)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(Path(r["file"]).name, int(r["line"]), r["column"], r["value"], r["reason"],
             r["severity"]) for r in rows]


def explain(store: str, a: str, b: str) -> dict[str, Any]:
    """``explain A B --json``."""
    out = cli("explain", a, b, "--json", store=store)
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data
