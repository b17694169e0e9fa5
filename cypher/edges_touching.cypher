// Every evidence edge with an end among these identifier keys, once each.
UNWIND $keys AS k
MATCH (:Identifier {key: k})-[r:EVIDENCE]-()
WITH DISTINCT r
RETURN startNode(r).key AS src, endNode(r).key AS dst, r.event_id AS event_id,
       r.type AS type, r.channel AS channel, r.ts AS ts, r.rule AS rule, r.merges AS merges,
       r.seq AS seq
