// The id buckets that may hold one event: one per load, each by an index seek on
// (generation, bucket). Columnar: probe i is $generation[i], $bucket[i].
UNWIND range(0, size($bucket) - 1) AS i
MATCH (b:EventBucket {generation: $generation[i], bucket: $bucket[i]})
RETURN b.data AS data
