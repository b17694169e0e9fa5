"""The example data and loads through the Python API, with what they give computed (never
typed in as numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from identigraph.api import load
from identigraph.graph.open import open_store
from identigraph.graph.records import Profile
from identigraph.loaders.report import LoadReport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def example_files(*suffixes: str) -> list[Path]:
    """The example inputs with the given suffixes (default JSON Lines then CSV), sorted."""
    return [p for s in (suffixes or ("jsonl", "csv")) for p in sorted(EXAMPLES.glob(f"*.{s}"))]


@dataclass(frozen=True)
class Outcome:
    """What loading some files into a fresh store gives."""

    events: int
    profiles: int
    rows_read: int


@cache
def example_outcome(*suffixes: str) -> Outcome:
    """Events and profiles that loading ``example_files(*suffixes)`` gives, computed by a
    load into a scratch store (cached for the session)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "expected.db")
        report = load_events(location, example_files(*suffixes))
        return Outcome(report.events_added, len(profiles(location)), report.total("rows_read"))


def load_events(location: str, path: Path | list[Path], ruleset: str | None = None,
                **kw: Any) -> LoadReport:
    """Load files into the store at ``location`` through the Python API."""
    store = open_store(location)
    try:
        return load(store, path if isinstance(path, list) else [path], ruleset=ruleset, **kw)
    finally:
        store.close()


def profiles(location: str) -> list[Profile]:
    """Every profile of a store."""
    store = open_store(location)
    try:
        return store.profiles()
    finally:
        store.close()


def key_sets(location: str) -> set[frozenset[str]]:
    """Profiles as sets of ``kind:value`` keys."""
    return {
        frozenset([f"external_id:{v}" for v in p.external_ids] + [f"email:{v}" for v in p.emails]
                  + [f"phone:{v}" for v in p.phones])
        for p in profiles(location)
    }
