"""Helpers of the Neo4j store tests: queries against the test server, synthetic events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from identigraph.graph.neo4j_store import Neo4jStore


def query(uri: str, cypher_text: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of one Cypher statement against a test server (no auth)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        records, _, _ = driver.execute_query(cypher_text, params)  # type: ignore[arg-type]
        return [r.data() for r in records]


TYPES = ["form_submit", "checkout", "import", "sms_keyword", "profile_update", "click_to_text",
         "campaign_sms_link", "consent_change"]


def synthetic_events(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` canonical events over about n/2 people: merges, non-merges, shared values."""
    import random

    rng = random.Random(seed)
    people = max(1, n // 2)
    out: list[dict[str, Any]] = []
    for i in range(n):
        p = rng.randrange(people)
        ev: dict[str, Any] = {
            "event_id": f"s{i:06d}", "type": rng.choice(TYPES),
            "timestamp": f"2025-{1 + i % 12:02d}-{1 + rng.randrange(28):02d}T"
                         f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
        }
        if rng.random() < 0.75:
            ev["email"] = f"person{p}@example.com"
        if rng.random() < 0.55 or "email" not in ev:
            line = (p * 7919 + (1 if rng.random() < 0.05 else 0)) % 10000
            ev["phone"] = "+12125550100" if rng.random() < 0.01 else f"+1415{2000000 + line:07d}"
        if rng.random() < 0.1:
            ev["external_id"] = f"cust-{p}"
        if rng.random() < 0.3:
            ev["sms_consent" if "phone" in ev else "email_consent"] = rng.choice(
                ["subscribed", "unsubscribed", "never_subscribed"])
        out.append(ev)
    return out


def snapshot(uri: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Everything the commands show: profiles, explanations and timelines of ``pairs``,
    counts, the stored events (how many chunks, id and group buckets hold them depends on how
    the loads went: not compared, but every load's events must have their id buckets and the
    group index must be sound), nodes,
    relationships and indexes by kind."""
    from support import cli_json

    from identigraph.graph.neo4j_store import Neo4jStore

    stats = cli_json("stats", store=uri)
    stats.pop("store")
    store = Neo4jStore(uri)
    try:
        events = sorted(store.events().table.to_pylist(), key=lambda r: str(r["event_id"]))
    finally:
        store.close()
    return {
        "profiles": cli_json("profiles", store=uri),
        "explain": [cli_json("explain", a, b, store=uri) for a, b in pairs],
        "how": [cli_json("how", a, store=uri) for a, _ in pairs],
        "stats": stats,
        "events": events,
        # chunks and id buckets are laid out by how the loads went: compared is that every
        # load's events can be found by id through its buckets
        "nodes": query(uri, "MATCH (n) WHERE NOT (n:EventChunk OR n:EventBucket OR "
                            "n:EventBuckets OR n:GroupBucket) "
                            "RETURN labels(n) AS l, count(*) AS n ORDER BY l"),
        # so are the group buckets: compared is that every event is where its groups say
        "group_index_problems": group_index_problems(uri),
        "events_bucketed": query(uri, "CALL () { MATCH (s:EventBuckets) "
                                      "RETURN collect(s.generation) AS sets } "
                                      "MATCH (c:EventChunk) WHERE NOT c.generation IN sets "
                                      "RETURN count(c) AS n")[0]["n"] == 0,
        "rels": query(uri, "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t"),
        "indexes": query(uri, "SHOW INDEXES YIELD name, state RETURN name, state ORDER BY name"),
    }


def group_index_problems(uri: str) -> list[str]:
    """What is wrong with the group index (graph/neo4j_store/groupindex.py), whatever its
    layout: every stored event must be in one group bucket, once, numbered below
    ``Meta.next_bucket``, every event carrying a (non-blocked) identifier in the bucket
    that identifier names, and one carrying a blocked value in a bucket its list names."""
    from identigraph.graph.neo4j_store.chunks import chunk_table

    buckets = {r["b"]: chunk_table(r["data"]).to_pylist() for r in query(
        uri, "MATCH (g:GroupBucket) RETURN g.bucket AS b, g.data AS data")}
    problems: list[str] = []
    where: dict[str, int] = {}
    for b, rows in buckets.items():
        for row in rows:
            if row["event_id"] in where:
                problems.append(f"event {row['event_id']} in buckets {where[row['event_id']]}"
                                f" and {b}")
            where[row["event_id"]] = b
    stored = {r["id"] for r in query(uri, "MATCH (c:EventChunk) RETURN c.data AS data")
              for r in chunk_table(r["data"]).select(["event_id"]).rename_columns(
                  ["id"]).to_pylist()}
    if set(where) != stored:
        problems.append(f"{len(stored - set(where))} events in no bucket, "
                        f"{len(set(where) - stored)} not stored")
    meta = query(uri, "MATCH (m:Meta) RETURN m.next_bucket AS n")
    if buckets and (not meta or max(buckets) >= (meta[0]["n"] or 0)):
        problems.append(f"bucket {max(buckets)} at or above Meta.next_bucket {meta}")
    bucket_of = {r["key"]: r["b"] for r in query(
        uri, "MATCH (n:Identifier) WHERE n.blocked IS NULL RETURN n.key AS key, n.bucket AS b")}
    kinds = {key.split(":", 1)[0] for key in bucket_of}
    for b, rows in buckets.items():
        for row in rows:
            for kind in kinds:
                key = f"{kind}:{row.get(kind)}"
                if row.get(kind) is not None and key in bucket_of and bucket_of[key] != b:
                    problems.append(f"{row['event_id']} carries {key} (bucket "
                                    f"{bucket_of[key]}) but is in bucket {b}")
    lists = {r["key"]: set(r["bs"] or ()) for r in query(
        uri, "MATCH (n:Identifier {blocked: true}) RETURN n.key AS key, n.buckets AS bs")}
    for b, rows in buckets.items():  # a blocked value: every bucket its events are in
        for row in rows:
            for key in lists:
                kind, _, value = key.partition(":")
                if row.get(kind) == value and b not in lists[key]:
                    problems.append(f"{row['event_id']} carries blocked {key} but its bucket "
                                    f"{b} is not among {sorted(lists[key])}")
    return problems


def merge_pairs(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(email, phone) of the first event of each of four kinds carrying both: pairs that
    merge and pairs that do not."""
    return [next((e["email"], e["phone"]) for e in events if e["type"] == t and "email" in e
                 and "phone" in e) for t in ("form_submit", "checkout", "sms_keyword", "import")]


def one_error_line(stderr: str) -> str:
    """The one line a failed command writes on stderr (no traceback, no second line)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("identigraph: error: ") and "Traceback" not in stderr
    return lines[0]


def _rows_in(value: object) -> int:
    """Events in the Arrow blobs of one returned value (lists searched)."""
    from identigraph.graph.neo4j_store.chunks import chunk_table

    if isinstance(value, bytes):
        return int(chunk_table(value).num_rows)
    if isinstance(value, list):
        return sum(_rows_in(v) for v in value)
    return 0


class Counting:
    """Counts the stored events a store reads back (in every blob any statement returns):
    ``rows`` all of them, ``in_delta`` those ``write_delta`` reads."""

    def __init__(self, store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = self.in_delta = 0
        self.delta = False
        read, delta = store._read, store.write_delta

        def counted(name: str, **params: Any) -> Any:
            records = read(name, **params)
            rows = sum(_rows_in(v) for r in records for v in r.values())
            self.rows += rows
            self.in_delta += rows if self.delta else 0
            return records

        def counted_delta(*args: Any) -> Any:
            self.delta = True
            try:
                return delta(*args)
            finally:
                self.delta = False

        monkeypatch.setattr(store, "_read", counted)
        monkeypatch.setattr(store, "write_delta", counted_delta)
