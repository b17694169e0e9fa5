"""A new Neo4j database built by ``neo4j-admin database import`` from ``export-state
--neo4j-import`` files is the database a Bolt load writes: the same nodes, relationships
and properties, and the same answers."""

from __future__ import annotations

import json
from pathlib import Path

from n4j_support import group_index_problems, query, synthetic_events
from support import cli, load_events, neo4j_admin, neo4j_server, write_jsonl

COMMAND = "neo4j-admin database import full DATABASE "
DUMPS = {
    "identifiers": "MATCH (n:Identifier) OPTIONAL MATCH (n)-[:ON]->(p:Profile) "
                   "RETURN labels(n) AS labels, n {.*, bucket: null, buckets: null} AS n, "
                   "p.profile_id AS on "
                   "ORDER BY n.key",  # bucket: where its group is (see group_index_problems)
    "profiles": "MATCH (p:Profile) RETURN p {.*} AS p ORDER BY p.profile_id",
    # seq (an edge's, a log row's place in the state's rows, the last tie-breaker of their
    # order) follows the rows as exported: an embedded store keeps them in group order, a
    # replay makes them in event order; compared is that each is a distinct number per row
    "evidence": "MATCH (s)-[r:EVIDENCE]->(d) RETURN s.key AS s, d.key AS d, r {.*, seq: null} "
                "AS r ORDER BY s, d, r.event_id, r.rule",
    "log": "MATCH (n:LogEntry) RETURN n {.*, seq: null} AS n "
           "ORDER BY n.event_id, n.action, n.profile_id, n.identifier",
    "seq_distinct": "CALL () { MATCH ()-[r:EVIDENCE]->() RETURN count(DISTINCT r.seq) = count(r) "
                    "AS edges } CALL () { MATCH (n:LogEntry) "
                    "RETURN count(DISTINCT n.seq) = count(n) AS log } RETURN edges, log",
    "meta": "MATCH (m:Meta) RETURN m {.*} AS m",
    "chunks": "MATCH (c:EventChunk) RETURN c.generation AS g, c.part AS part, c.rows AS rows",
    "buckets": "MATCH (b:EventBucket) RETURN b.generation AS g, b.bucket AS bucket "
               "ORDER BY bucket",
    "bucket_set": "MATCH (s:EventBuckets) RETURN s {.*} AS s",
    "labels": "MATCH (n) WHERE NOT n:GroupBucket "
              "RETURN labels(n) AS labels, count(*) AS n ORDER BY n",
}


def dump(uri: str) -> dict[str, list[dict[str, object]]]:
    """Every node and relationship identigraph writes, as rows (labels sorted)."""
    out = {name: query(uri, text) for name, text in DUMPS.items()}
    for row in [*out["identifiers"], *out["labels"]]:
        row["labels"] = sorted(row["labels"])  # type: ignore[arg-type]
    out["labels"].sort(key=lambda r: (str(r["labels"]), r["n"]))  # type: ignore[arg-type]
    return out


def test_an_imported_database_is_the_database_a_bolt_load_writes(neo4j_store: str,
                                                                  tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "events.jsonl", synthetic_events(3_000, seed=14))
    assert cli("load", str(src), store=neo4j_store).returncode == 0
    embedded = str(tmp_path / "embedded.db")
    load_events(embedded, src)
    out = cli("export-state", str(tmp_path / "state"), "--neo4j-import", store=embedded)
    assert out.returncode == 0, out.stderr
    args = out.stdout.split(COMMAND, 1)[1].split()
    home = tmp_path / "home"
    done = neo4j_admin(home, "database", "import", "full", "neo4j", *args,
                       cwd=tmp_path / "state" / "neo4j-import")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with neo4j_server(home=home) as imported:
        stats = [json.loads(cli("stats", "--json", store=s).stdout)
                 for s in (imported, neo4j_store)]
        assert [{k: v for k, v in st.items() if k != "store"} for st in stats] == [
            {k: v for k, v in stats[1].items() if k != "store"}] * 2
        a, b = cli("profiles", "--json", store=imported), cli("profiles", "--json",
                                                               store=neo4j_store)
        assert a.returncode == b.returncode == 0, a.stderr
        assert json.loads(a.stdout) == json.loads(b.stdout)
        merged = next(p for p in json.loads(a.stdout) if p["merged_ids"] and p["phones"])
        ids = [*merged["emails"], *merged["phones"]]
        event = f"event:{merged['created_by']}"  # found through the id buckets
        for ask in (("explain", ids[0], ids[-1], "--json"), ("how", ids[-1], "--json"),
                    ("show", event, "--json")):
            a, b = cli(*ask, store=imported), cli(*ask, store=neo4j_store)
            assert a.returncode == b.returncode == 0, a.stderr
            assert json.loads(a.stdout) == json.loads(b.stdout)
        got, want = dump(imported), dump(neo4j_store)
        assert {k: len(v) for k, v in got.items()} == {k: len(v) for k, v in want.items()}
        assert got == want
        assert got["seq_distinct"] == [{"edges": True, "log": True}]
        # group buckets are laid out by the order the events come in: each index is sound
        assert group_index_problems(imported) == group_index_problems(neo4j_store) == []
        indexes = query(imported, "SHOW INDEXES YIELD name RETURN name ORDER BY name")
        assert {"identigraph_identifier_key", "identigraph_profile_id"} <= {
            r["name"] for r in indexes}
