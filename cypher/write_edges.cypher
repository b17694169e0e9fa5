// One batch of evidence edges: [src, dst, event_id, type, channel, ts, rule, merges, seq];
// seq is the edge's position in the state, the last tie-breaker of edge order.
UNWIND $rows AS r
MATCH (s:Identifier {key: r[0]})
MATCH (d:Identifier {key: r[1]})
CREATE (s)-[:EVIDENCE {
  event_id: r[2], type: r[3], channel: r[4], ts: r[5], rule: r[6], merges: r[7] = 1, seq: r[8]
}]->(d)
