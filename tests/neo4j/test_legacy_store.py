"""A store of schema version 1 (one :Event node per event) is read, and the next load moves
its events into chunks."""

from __future__ import annotations

from pathlib import Path

from n4j_support import query
from support import clear_neo4j, cli, cli_json, cli_load, write_jsonl

from identigraph.api import load
from identigraph.graph.neo4j_store import Neo4jStore
from identigraph.graph.neo4j_store.store import SCHEMA_VERSION as NEO4J_SCHEMA
from identigraph.graph.open import open_store

DATA = Path(__file__).parent / "data" / "parity.jsonl"
_AS_V1 = """
UNWIND $rows AS r
CREATE (:Event {event_id: r[0], ts: r[1], type: r[2], channel: r[3], source: r[4], email: r[5],
                phone: r[6], external_id: r[7], country: r[8], email_consent: r[9],
                sms_consent: r[10], attributes: r[11]})
"""


def test_version_1_events_are_read_then_moved(neo4j_uri: str, tmp_path: Path) -> None:
    """Events only as :Event nodes: replayed, counted, then chunked by the next load."""
    clear_neo4j(neo4j_uri)
    store = Neo4jStore(neo4j_uri)
    try:
        load(store, [DATA])
        rows = [list(r.values()) for r in store.events().table.to_pylist()]
        query(neo4j_uri, "MATCH (c:EventChunk) DELETE c")
        query(neo4j_uri, _AS_V1, rows=rows)
        query(neo4j_uri, "MATCH (m:Meta) SET m.schema_version = '1'")
        assert sorted(map(tuple, rows)) == sorted(
            tuple(r.values()) for r in store.events().table.to_pylist())
        assert cli_json("stats", store=neo4j_uri)["events"] == len(rows)

        more = write_jsonl(tmp_path / "more.jsonl", [
            {"event_id": "late-1", "timestamp": "2025-03-01T10:00:00Z", "type": "form_submit",
             "email": "late@example.com", "phone": "+14155550199"}])
        report = load(store, [DATA, more])
        assert report.events_added == 1
        assert query(neo4j_uri, "MATCH (e:Event) RETURN count(e) AS n") == [{"n": 0}]
        assert len(store.events()) == len(rows) + 1
        assert cli_json("stats", store=neo4j_uri)["events"] == len(rows) + 1
    finally:
        store.close()
    embedded = open_store(str(tmp_path / "same.db"))  # the embedded store the CLI reads
    try:
        load(embedded, [DATA, more])
    finally:
        embedded.close()
    assert cli_json("profiles", store=neo4j_uri) == cli_json("profiles", store=str(tmp_path / "same.db"))


def test_a_store_from_a_newer_version_is_refused(neo4j_uri: str) -> None:
    """A store whose Meta says a newer schema: exit 3 and one line, queries and loads alike."""
    clear_neo4j(neo4j_uri)
    assert cli_load(str(DATA), store=neo4j_uri)["events_added"] > 0
    newer = str(int(NEO4J_SCHEMA) + 1)
    query(neo4j_uri, "MATCH (m:Meta) SET m.schema_version = $v", v=newer)
    for args in (["profiles"], ["stats"], ["load", str(DATA)]):
        out = cli(*args, store=neo4j_uri)
        assert out.returncode == 3, (args, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and "newer identigraph" in out.stderr
    assert query(neo4j_uri, "MATCH (m:Meta) RETURN m.schema_version AS v") == [{"v": newer}]
    clear_neo4j(neo4j_uri)
