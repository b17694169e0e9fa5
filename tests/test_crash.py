"""A load killed at any moment leaves the embedded store as it was before that load."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import CONSOLE_SCRIPT, ROOT, cli, example_files, example_outcome


@pytest.mark.slow
def test_killed_load_keeps_the_last_committed_state(tmp_path: Path) -> None:
    """SIGKILL during a big load: the store opens, and holds the previous load, intact."""
    db = str(tmp_path / "s.db")
    examples = [str(p) for p in example_files("jsonl")]
    loaded = example_outcome("jsonl").events
    assert cli("load", *examples, store=db).returncode == 0
    before = cli("profiles", "--json", store=db).stdout
    big = tmp_path / "big.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--n", "150000",
                    "--out", str(big)], check=True, timeout=300)
    killed_mid_load = 0
    for delay in (1.0, 2.5, 4.0):
        proc = subprocess.Popen([str(CONSOLE_SCRIPT), "--store", db, "load", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_load += 1
        proc.wait(timeout=120)
        out = cli("profiles", "--json", store=db)
        assert out.returncode == 0, out.stderr
        stats = json.loads(cli("stats", "--json", store=db).stdout)
        # all of the load or none of it: a kill after the commit keeps the whole load
        assert stats["events"] in (loaded, loaded + 150000)
        if stats["events"] == loaded:
            assert out.stdout == before  # nothing of the killed load is visible
    assert killed_mid_load >= 1, "the load finished too fast to be killed"


def test_ctrl_c_reported_by_duckdb_as_an_aborted_transaction_is_an_interrupt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C inside a relation's query makes DuckDB's clean-up (dropping the query's view)
    fail with "transaction is aborted" in the interrupt's place: the load is still a Ctrl-C
    (exit 130 at the command line, not "cannot write the store"), and the store keeps its
    last completed load."""
    import duckdb

    import identigraph
    from identigraph.graph.embedded import layout

    first, *rest = example_files("jsonl")
    with identigraph.open(str(tmp_path / "s.db")) as graph:
        graph.load([str(first)])
        before = graph.stats().events

        def ctrl_c(*args: object, **kwargs: object) -> None:
            try:
                raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")
            except duckdb.InterruptException:
                raise duckdb.TransactionException(
                    "TransactionContext Error: Current transaction is aborted (please "
                    "ROLLBACK)") from None

        monkeypatch.setattr(layout, "insert_arrow", ctrl_c)
        with pytest.raises(KeyboardInterrupt):
            graph.load([str(p) for p in rest])
        monkeypatch.undo()
        assert graph.stats().events == before


def test_ctrl_c_caught_by_duckdb_outside_a_store_write_is_exit_130(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's catch of a Ctrl-C in a query outside the store's write (its "Query
    interrupted" RuntimeError) ends the command as a Ctrl-C: exit 130, "interrupted"."""
    import duckdb  # noqa: F401  (what the command line checks an error against)

    import identigraph.api
    from identigraph.errors import INTERRUPTED, INTERRUPTED_TEXT

    def interrupted(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(identigraph.api, "load", interrupted)
    out = cli("load", str(example_files("jsonl")[0]), store=str(tmp_path / "s.db"))
    assert out.returncode == INTERRUPTED and out.stderr.strip() == INTERRUPTED_TEXT


def test_a_first_load_interrupted_in_its_replay_keeps_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first load writes its events before its replay runs: a Ctrl-C in the replay rolls
    those writes back with the rest, so the store is left empty and the next load of the
    same file works."""
    import identigraph
    from identigraph import api

    def interrupted_replay(*_: object) -> None:
        raise KeyboardInterrupt

    first = example_files("jsonl")[0]
    db = str(tmp_path / "s.db")
    with monkeypatch.context() as patched:
        patched.setattr(api, "replay_prepared", interrupted_replay)
        with identigraph.open(db) as graph, pytest.raises(KeyboardInterrupt):
            graph.load([str(first)])
    with identigraph.open(db) as graph:
        assert graph.stats().events == 0
        report = graph.load([str(first)])
        assert report.events_added > 0
        assert graph.stats().events == report.events_added
