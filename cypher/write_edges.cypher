// One batch of evidence edges whose ends are not on one profile (the others are written
// with their profile), ends by key. Columnar: edge i is $src[i], $dst[i], $event_id[i], …;
// $seq[i] is its position in the state, the last tie-breaker of edge order.
UNWIND range(0, size($src) - 1) AS i
MATCH (s:Identifier {key: $src[i]})
MATCH (d:Identifier {key: $dst[i]})
CREATE (s)-[:EVIDENCE {
  event_id: $event_id[i], type: $type[i], channel: $channel[i], ts: $ts[i], rule: $rule[i],
  merges: $merges[i], seq: $seq[i]
}]->(d)
