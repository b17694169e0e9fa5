"""Small helpers shared by tests: writing events, loading through the API, reading results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from identigraph.api import load
from identigraph.graph.open import open_store
from identigraph.graph.records import Profile
from identigraph.loaders.report import LoadReport


def write_jsonl(path: Path, events: Iterable[dict[str, Any]]) -> Path:
    """Write canonical events as JSON Lines."""
    path.write_text("".join(json.dumps(ev) + "\n" for ev in events), encoding="utf-8")
    return path


def load_events(location: str, path: Path | list[Path], ruleset: str | None = None,
                **kw: Any) -> LoadReport:
    """Load files into the store at ``location`` through the public API."""
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


def cli(*args: str, store: str | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``identigraph`` command line."""
    cmd = [sys.executable, "-m", "identigraph.cli"]
    if store is not None:
        cmd += ["--store", store]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=300, check=False)
