// End of a write: the derived state and the events are complete, the group index
// (GroupBucket, Identifier.bucket) holds every event (a store neo4j-admin imported has it
// too; one an older version wrote has none) and $next_bucket is above every group bucket.
// ranked: every group bucket records its largest group; a whole write ($ranked) writes every
// bucket, a delta only some, so a store an older version wrote stays unranked until then.
MATCH (m:Meta {key: 'store'})
SET m.state = 'complete', m.grouped = true, m.next_bucket = $next_bucket,
    m.ranked = $ranked OR coalesce(m.ranked, false)
