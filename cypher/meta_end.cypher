// End of a write: the derived state and the events are complete, the group index
// (GroupBucket, Identifier.bucket) holds every event (a store neo4j-admin imported has it
// too; one an older version wrote has none) and $next_bucket is above every group bucket.
MATCH (m:Meta {key: 'store'})
SET m.state = 'complete', m.grouped = true, m.next_bucket = $next_bucket
