// A load's events by id bucket (graph/neo4j_store/eventindex.py), each bucket's events as
// one compressed Arrow chunk. Columnar: bucket i is $generation[i], $bucket[i], $data[i].
// MERGE on the indexed (generation, bucket): a retried batch writes nothing twice.
UNWIND range(0, size($bucket) - 1) AS i
MERGE (b:EventBucket {generation: $generation[i], bucket: $bucket[i]})
ON CREATE SET b.data = $data[i]
