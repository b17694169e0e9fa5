// One batch of evidence edges whose ends are not on one profile (the others are written
// with their profile): [src, dst, event_id, type, channel, ts, rule, merges, seq], ends by
// key; seq is the edge's position in the state, the last tie-breaker of edge order.
UNWIND $rows AS r
MATCH (s:Identifier {key: r[0]})
MATCH (d:Identifier {key: r[1]})
CREATE (s)-[:EVIDENCE {
  event_id: r[2], type: r[3], channel: r[4], ts: r[5], rule: r[6], merges: r[7], seq: r[8]
}]->(d)
