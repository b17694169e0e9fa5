// All shortest evidence paths a-b, any decision (the "why not"); 12 = graph/paths.py MAX_HOPS.
// The tests' reference for explain's own search (graph/paths.py search_paths).
MATCH (a:Identifier {key: $a}), (b:Identifier {key: $b})
MATCH p = allShortestPaths((a)-[:EVIDENCE*..12]-(b))
RETURN [r IN relationships(p) | [startNode(r).key, endNode(r).key, r.event_id, r.type,
        r.channel, r.ts, r.rule, r.merges]] AS path
LIMIT $max_paths
