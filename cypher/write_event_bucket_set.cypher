// A load's bucket set, written after all its buckets: lookups trust a load's buckets only
// once it exists.
MERGE (s:EventBuckets {generation: $generation})
SET s.buckets = $buckets, s.rows = $rows
