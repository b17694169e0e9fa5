"""``identigraph load --engine spark`` end to end: into a store, late events, the command
line, export-state, and the one-line errors when pyspark or Java is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from random_events import random_rows
from scenarios import ANN, P1, SCENARIOS
from support import clear_neo4j, cli, load_events, write_jsonl

from identigraph.api import load
from identigraph.engine.state import SCHEMAS
from identigraph.graph.open import open_store
from identigraph.graph.state_export import export_state
from identigraph.rules.registry import load_ruleset
from identigraph.spark.engine import SparkEngine


def exported(location: str, folder: Path) -> dict[str, bytes]:
    """A store's state tables as the files export-state writes (rows in one fixed order, so
    equal states give equal bytes, whatever order the store keeps its rows in)."""
    store = open_store(location, create=False)
    try:
        export_state(store, folder)
    finally:
        store.close()
    return {name: (folder / f"{name}.parquet").read_bytes() for name in SCHEMAS}


def test_a_late_delta_through_spark_gives_the_state_of_one_load(
        spark_engine: SparkEngine, tmp_path: Path) -> None:
    rows = random_rows(6_000, load_ruleset("klaviyo-sms"), seed=5)
    rows.sort(key=lambda r: str(r["timestamp"]))
    late = rows[::4]  # a quarter of the events, spread over the whole period, come last
    first = [r for i, r in enumerate(rows) if i % 4]
    spark_db = str(tmp_path / "spark.db")
    for part, name in ((first, "first.jsonl"), (late, "late.jsonl")):
        store = open_store(spark_db)
        try:
            load(store, [write_jsonl(tmp_path / name, part)], replay=spark_engine.replay)
        finally:
            store.close()
    once_db = str(tmp_path / "once.db")
    load_events(once_db, write_jsonl(tmp_path / "all.jsonl", rows))
    got = exported(spark_db, tmp_path / "spark-state")
    want = exported(once_db, tmp_path / "once-state")
    for name in SCHEMAS:
        assert pq.read_table(tmp_path / "once-state" / f"{name}.parquet").num_rows, name
        assert got[name] == want[name], name


def test_the_command_line_loads_with_spark_and_exports_the_state(tmp_path: Path) -> None:
    scenario = next(s for s in SCENARIOS if s.rule == "3")  # two profiles that merge
    src = write_jsonl(tmp_path / "events.jsonl", scenario.events)
    spark_db, embedded_db = str(tmp_path / "spark.db"), str(tmp_path / "embedded.db")
    done = cli("load", str(src), "--engine", "spark", "--spark-master", "local[2]",
               store=spark_db, process=True)  # its own Spark: the tests' session stays up
    assert done.returncode == 0, done.stderr
    assert "rows read" in done.stdout
    assert cli("load", str(src), store=embedded_db).returncode == 0
    for args in (("profiles", "--json"),
                 ("explain", ANN, P1, "--json"), ("how", P1, "--json")):
        a, b = cli(*args, store=spark_db), cli(*args, store=embedded_db)
        assert a.returncode == b.returncode == 0, a.stderr
        assert json.loads(a.stdout) == json.loads(b.stdout)
    for db, folder in ((spark_db, "a"), (embedded_db, "b")):
        out = cli("export-state", str(tmp_path / folder), "--store", db)
        assert out.returncode == 0, out.stderr
    for name in SCHEMAS:
        a = pq.read_table(tmp_path / "a" / f"{name}.parquet")
        b = pq.read_table(tmp_path / "b" / f"{name}.parquet")
        assert a.num_rows and a.equals(b), name


def test_without_java_the_spark_engine_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "e.jsonl", SCENARIOS[0].events)
    db = tmp_path / "s.db"
    done = cli("load", str(src), "--engine", "spark", store=str(db),
               env={"JAVA_HOME": str(tmp_path / "no-java")})
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "Java 17" in done.stderr and "JAVA_HOME" in done.stderr
    assert not db.exists()


def test_without_pyspark_only_the_spark_engine_fails(tmp_path: Path) -> None:
    """A pyspark that cannot be imported: ``--engine spark`` says how to install it; the
    embedded engine never imports it and loads as ever."""
    fake = tmp_path / "fake" / "pyspark"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    env = {"PYTHONPATH": str(fake.parent)}
    src = write_jsonl(tmp_path / "e.jsonl", SCENARIOS[0].events)
    done = cli("load", str(src), "--engine", "spark", store=str(tmp_path / "s.db"), env=env,
               process=True)
    assert done.returncode == 2
    assert done.stderr.strip() == ("identigraph: error: --engine spark needs pyspark: "
                                   "pip install 'identigraph[spark]'")
    done = cli("load", str(src), store=str(tmp_path / "e.db"), env=env, process=True)
    assert done.returncode == 0, done.stderr


def test_spark_into_neo4j_answers_as_the_embedded_store(spark_engine: SparkEngine,
                                                        neo4j_uri: str, tmp_path: Path) -> None:
    """The Spark engine's tables go into Neo4j in Bolt batches (row links found by key):
    every profile, explanation and timeline is the embedded store's."""
    clear_neo4j(neo4j_uri)
    rows = random_rows(3_000, load_ruleset("klaviyo-sms"), seed=9)
    src = write_jsonl(tmp_path / "events.jsonl", rows)
    store = open_store(neo4j_uri)
    try:
        load(store, [src], replay=spark_engine.replay)
    finally:
        store.close()
    embedded = str(tmp_path / "embedded.db")
    load_events(embedded, src)
    a = cli("profiles", "--json", store=neo4j_uri)
    b = cli("profiles", "--json", store=embedded)
    assert a.returncode == b.returncode == 0, a.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    ids = next(ids for p in json.loads(b.stdout) if p["merged_ids"] and len(
        ids := [*p["external_ids"], *p["emails"], *p["phones"]]) > 1)
    for args in (("explain", ids[0], ids[-1]), ("how", ids[-1])):
        a, b = cli(*args, "--json", store=neo4j_uri), cli(*args, "--json", store=embedded)
        assert a.returncode == b.returncode == 0, a.stderr
        assert json.loads(a.stdout) == json.loads(b.stdout)
