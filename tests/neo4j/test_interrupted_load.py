"""A load killed half-way, then run again, ends exactly where an uninterrupted load does."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from n4j_support import merge_pairs, query, snapshot, synthetic_events
from support import CONSOLE_SCRIPT, clear_neo4j, cli, write_jsonl

from identigraph.graph.neo4j_store import Neo4jStore

EVENTS = synthetic_events(3000, seed=4)
PAIRS = merge_pairs(EVENTS)
#: The state a load must be caught in, by what it is writing ($base: events stored before).
#: The new events are appended while the derived state is replaced, so the phases overlap.
_WRITING = ("OPTIONAL MATCH (m:Meta {state: 'writing'}) "
            "CALL () { MATCH (c:EventChunk) RETURN coalesce(sum(c.rows), 0) AS events } "
            "CALL () { MATCH (n:Identifier) RETURN count(n) AS identifiers } "
            "CALL () { MATCH (n:LogEntry) RETURN count(n) AS log } ")
PHASES = {  # replacing identifiers, profiles (deleting or writing them)
    "derived": _WRITING + "RETURN m IS NOT NULL AND identifiers > 0 AS hit",
    # writing the profile log, the last derived step
    "log": _WRITING + "RETURN m IS NOT NULL AND log > 0 AS hit",
    # appending the new events
    "events": _WRITING + "RETURN m IS NOT NULL AND events > $base AS hit",
}

def _kill_during(uri: str, files: list[Path], phase: str) -> None:
    """Start a load with tiny batches (and event chunks) and SIGKILL it once it is writing
    ``phase``."""
    import os

    base = query(uri, "MATCH (c:EventChunk) RETURN coalesce(sum(c.rows), 0) AS n")[0]["n"]
    env = {**os.environ, "IDENTIGRAPH_NEO4J_BATCH_SIZE": "10",
           "IDENTIGRAPH_NEO4J_EVENT_CHUNK_ROWS": "10"}
    proc = subprocess.Popen([str(CONSOLE_SCRIPT), "--store", uri, "load", *map(str, files)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if query(uri, PHASES[phase], base=base)[0]["hit"]:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        rc = proc.wait(timeout=60)
    assert rc == -signal.SIGKILL, f"the load was not caught writing {phase} (exit {rc})"


def _load_ok(uri: str, path: Path) -> None:
    out = cli("load", str(path), store=uri, process=True)
    assert out.returncode == 0, out.stderr


def _load_with_failing_replay(store: Neo4jStore, path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``api.load`` of ``path`` with a replay that raises, as a bug in the rules would; a
    whole replay (a delta replays before it writes anything: see test_incremental)."""
    from identigraph import api

    def broken(*_: object) -> None:
        raise RuntimeError("replay failed")

    with monkeypatch.context() as patched:
        patched.setattr(api, "resolve", broken)  # a whole replay's
        patched.setattr(api, "replay_prepared", broken)  # a first load's
        patched.setattr(store, "delta_ready", lambda: False)
        with pytest.raises(RuntimeError, match="replay failed"):
            api.load(store, [path])


def _count(uri: str, label: str) -> int:
    return int(query(uri, f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two files of synthetic events: a first load, and a second that overlaps it."""
    d = tmp_path_factory.mktemp("killed")
    first = write_jsonl(d / "first.jsonl", EVENTS[:1500])
    second = write_jsonl(d / "second.jsonl", EVENTS[1000:])
    return first, second


@pytest.fixture(scope="module")
def expected(neo4j_uri: str, files: tuple[Path, Path]) -> dict[str, Any]:
    """The snapshot after both files loaded without interruption."""
    clear_neo4j(neo4j_uri)
    for f in files:
        _load_ok(neo4j_uri, f)
    snap = snapshot(neo4j_uri, PAIRS)
    assert len(snap["profiles"]) > 500
    return snap


@pytest.mark.parametrize("phase", ["derived", "events"])
def test_first_load_killed_then_rerun(neo4j_uri: str, files: tuple[Path, Path],
                                      expected: dict[str, Any], phase: str) -> None:
    """Into an empty store: killed while writing, run again, then the second file."""
    clear_neo4j(neo4j_uri)
    _kill_during(neo4j_uri, [files[0]], phase)
    for f in files:
        _load_ok(neo4j_uri, f)
    assert snapshot(neo4j_uri, PAIRS) == expected


@pytest.mark.parametrize("phase", ["derived", "log", "events"])
def test_second_load_killed_then_rerun(neo4j_uri: str, files: tuple[Path, Path],
                                       expected: dict[str, Any], phase: str) -> None:
    """Into a loaded store: the second file killed while writing, then run again."""
    clear_neo4j(neo4j_uri)
    _load_ok(neo4j_uri, files[0])
    _kill_during(neo4j_uri, [files[1]], phase)
    _load_ok(neo4j_uri, files[1])
    assert snapshot(neo4j_uri, PAIRS) == expected


def test_failed_replay_is_finished_by_the_next_load(
        neo4j_uri: str, files: tuple[Path, Path], expected: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay that fails after the new events went out: they are kept, the store says it
    is unfinished, and loading the same file again (no new events) finishes the state."""
    from identigraph import api

    clear_neo4j(neo4j_uri)
    store = Neo4jStore(neo4j_uri)
    try:
        _load_with_failing_replay(store, files[0], monkeypatch)
        assert store.unfinished()
        assert len(store.event_ids()) == len(files[0].read_text().splitlines())  # all kept
        assert _count(neo4j_uri, "Profile") == 0
        partial = cli("profiles", store=neo4j_uri, process=True)
        assert partial.returncode == 0
        assert "did not finish" in partial.stderr and "load again" in partial.stderr
        again = api.load(store, [files[0]])
        assert again.events_added == 0 and not store.unfinished()
    finally:
        store.close()
    assert "did not finish" not in cli("profiles", store=neo4j_uri, process=True).stderr
    _load_ok(neo4j_uri, files[1])
    assert snapshot(neo4j_uri, PAIRS) == expected


def test_failed_replay_stops_the_delete_of_the_old_state(
        neo4j_uri: str, files: tuple[Path, Path], expected: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The old state is deleted while the replay runs; a replay that fails stops that delete
    at its next batch (the error comes back at once, not after the whole delete), and the
    next load finishes the store."""
    clear_neo4j(neo4j_uri)
    _load_ok(neo4j_uri, files[0])
    before = _count(neo4j_uri, "Identifier")
    store = Neo4jStore(neo4j_uri, batch_size=10)  # a delete of hundreds of batches
    try:
        _load_with_failing_replay(store, files[1], monkeypatch)
        assert store.unfinished()
    finally:
        store.close()
    assert 0 < _count(neo4j_uri, "Identifier") <= before
    _load_ok(neo4j_uri, files[1])
    assert snapshot(neo4j_uri, PAIRS) == expected
