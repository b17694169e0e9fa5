"""A load that the server fails half-way (the server killed, a constraint someone else made,
credentials refused): exit 3 with the cause in one line, and the next load against a live
server leaves the store exactly as a clean load does (docs/hardening.md, class 8)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from n4j_support import merge_pairs, one_error_line, query, snapshot, synthetic_events
from support import (
    AUTH_PASSWORD,
    CONSOLE_SCRIPT,
    clear_neo4j,
    cli,
    free_port,
    start_neo4j,
    write_jsonl,
)

EVENTS = synthetic_events(1500, seed=8)
PAIRS = merge_pairs(EVENTS)
#: true once the load is writing the derived state (the events may be in already)
WRITING = ("OPTIONAL MATCH (m:Meta {state: 'writing'}) "
           "CALL () { MATCH (n:Identifier) RETURN count(n) AS identifiers } "
           "RETURN m IS NOT NULL AND identifiers > 0 AS hit")
#: a uniqueness constraint an analyst might put in place of identigraph's index on the
#: log's event ids (one log entry per event), which a merge breaks: its event writes a
#: `merged` and a `merged_into` entry
FOREIGN = ("DROP INDEX identigraph_log_event IF EXISTS",
           "CREATE CONSTRAINT someone_elses FOR (n:LogEntry) REQUIRE n.event_id IS UNIQUE")


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("server_failures") / "events.jsonl", EVENTS)


@pytest.fixture(scope="module")
def clean(neo4j_uri: str, events_file: Path) -> dict[str, Any]:
    """What the commands show after the file loaded into an empty store, undisturbed."""
    clear_neo4j(neo4j_uri)
    _load_ok(neo4j_uri, events_file)
    return snapshot(neo4j_uri, PAIRS)


def _load_ok(uri: str, path: Path) -> None:
    out = cli("load", str(path), store=uri, process=True)
    assert out.returncode == 0, out.stderr


def _says_unfinished(uri: str) -> None:
    """A query between the failed load and the next one warns that the store is partial."""
    out = cli("profiles", store=uri, process=True)
    assert out.returncode == 0, out.stderr
    assert "did not finish" in out.stderr and "load again" in out.stderr


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[int]]]:
    """A server of this test's own (it kills it): its URI, its database folder, and its pid
    (the test replaces it when it starts the server again)."""
    port = free_port()
    home = tmp_path / "neo4j"
    pids = [start_neo4j(port, home)]
    try:
        yield f"bolt://127.0.0.1:{port}", home, pids
    finally:
        for pid in pids:
            subprocess.run(["kill", str(pid)], check=False)


def test_server_killed_mid_load(own_server: tuple[str, Path, list[int]], events_file: Path,
                                clean: dict[str, Any]) -> None:
    """The server is killed (SIGKILL) while the load writes the derived state: the load exits
    3 naming the cause, queries warn the store is partial once the server is back, and the
    next load finishes it to what a clean load gives."""
    uri, home, pids = own_server
    env = {**os.environ, "IDENTIGRAPH_NEO4J_BATCH_SIZE": "10"}  # a write of many batches
    proc = subprocess.Popen([str(CONSOLE_SCRIPT), "--store", uri, "load", str(events_file)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            if query(uri, WRITING)[0]["hit"]:
                os.kill(pids.pop(), signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        _, stderr = proc.communicate(timeout=300)
    assert not pids, "the load finished before the server could be killed"
    assert proc.returncode == 3, stderr
    line = one_error_line(stderr)
    assert f"cannot reach Neo4j at {uri}" in line and "load the same files again" in line, line
    pids.append(start_neo4j(int(uri.rsplit(":", 1)[1]), home))
    _says_unfinished(uri)
    _load_ok(uri, events_file)
    assert snapshot(uri, PAIRS) == clean


def test_foreign_constraint_violated(neo4j_store: str, events_file: Path,
                                     clean: dict[str, Any]) -> None:
    """A constraint identigraph did not create, which the load's writes break: exit 3 with
    the server's reason; once it is dropped, the next load equals a clean load."""
    for statement in FOREIGN:
        query(neo4j_store, statement)
    try:
        out = cli("load", str(events_file), store=neo4j_store, process=True)
        assert out.returncode == 3, out
        line = one_error_line(out.stderr)
        assert "refused a write" in line and "LogEntry" in line and "event_id" in line, line
        assert "load the same files again" in line, line
        _says_unfinished(neo4j_store)
    finally:
        query(neo4j_store, "DROP CONSTRAINT someone_elses IF EXISTS")
    _load_ok(neo4j_store, events_file)
    assert snapshot(neo4j_store, PAIRS) == clean


def test_load_with_refused_credentials_writes_nothing(auth_neo4j_uri: str,
                                                      events_file: Path) -> None:
    """Wrong credentials on a load: exit 3 before anything is sent (the store stays empty)."""
    wrong = {"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "not-the-password"}
    out = cli("load", str(events_file), env=wrong, store=auth_neo4j_uri, process=True)
    assert out.returncode == 3, out
    assert "refused the credentials" in one_error_line(out.stderr)
    right = {"NEO4J_USER": "neo4j", "NEO4J_PASSWORD": AUTH_PASSWORD}
    out = cli("stats", "--json", env=right, store=auth_neo4j_uri, process=True)
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    assert stats["events"] == 0 and stats["profiles"] == 0
