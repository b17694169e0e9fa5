// The group buckets holding these identifiers' events (show, how, explain, and the groups a
// delta touches), each identifier by a seek on Identifier.key, each bucket by a seek on
// GroupBucket.bucket: an identifier's group's bucket, and with $blocked_too a blocked one's
// buckets (every group whose events carry it: a blocked value is in no group). unindexed:
// a blocked one has no such list (a store written before them: read every event instead).
// grouped: the store's group index is whole (Meta: this schema version, not being written),
// read in the same round trip.
OPTIONAL MATCH (m:Meta {key: 'store'})
WITH coalesce(m.schema_version = $schema_version AND m.grouped AND m.state = 'complete',
              false) AS grouped
CALL () {
  UNWIND $keys AS k
  MATCH (n:Identifier {key: k})
  WITH n, coalesce(n.blocked, false) AND $blocked_too AS blocked
  RETURN collect(CASE WHEN NOT blocked THEN n.bucket END) AS own,
         collect(CASE WHEN blocked THEN n.buckets END) AS lists,
         any(b IN collect(blocked AND n.buckets IS NULL) WHERE b) AS unindexed
}
WITH grouped, unindexed, own + reduce(all = [], l IN lists | all + l) AS buckets
OPTIONAL MATCH (g:GroupBucket)
WHERE g.bucket IN buckets
RETURN grouped, unindexed, collect([g.bucket, g.data]) AS found
