// The shortest evidence path between two identifiers, any decision: the graph behind
// `identigraph explain A B`. Parameters: $a, $b (identifier keys, 'kind:value').
MATCH (a:Identifier {key: $a}), (b:Identifier {key: $b})
MATCH p = shortestPath((a)-[:EVIDENCE*..12]-(b))
RETURN p,
       [r IN relationships(p) | {event_id: r.event_id, type: r.type, rule: r.rule,
                                 merges: r.merges}] AS steps
