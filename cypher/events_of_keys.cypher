// The group buckets holding these identifiers' events (show, how, and the groups a delta
// touches): each identifier by a seek on Identifier.key, its bucket by a seek on
// GroupBucket.bucket; blocked is true when one of them is blocked (in no group: show and
// how read every event instead).
UNWIND $keys AS k
MATCH (n:Identifier {key: k})
WITH collect(DISTINCT n.bucket) AS buckets, any(b IN collect(n.blocked) WHERE b) AS blocked
OPTIONAL MATCH (g:GroupBucket)
WHERE g.bucket IN buckets
RETURN blocked, collect([g.bucket, g.data]) AS found
