// Group buckets (graph/neo4j_store/groupindex.py): whole groups' events, each bucket as one
// compressed Arrow blob. Columnar: bucket i is $bucket[i], $rows[i], $data[i]. MERGE on the
// unique bucket number, then SET: a retried batch, or a delta rewriting a bucket without the
// groups it moved, leaves exactly this content.
UNWIND range(0, size($bucket) - 1) AS i
MERGE (b:GroupBucket {bucket: $bucket[i]})
SET b.rows = $rows[i], b.data = $data[i]
