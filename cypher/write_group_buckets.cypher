// Group buckets (graph/neo4j_store/groupindex.py): whole groups' events, each bucket as one
// compressed Arrow blob, with its largest group's events and first event id (stats reads the
// store's largest groups from the buckets whose largest groups are largest). Columnar: bucket
// i is $bucket[i], $rows[i], $data[i], $largest[i], $largest_first[i]. MERGE on the unique
// bucket number, then SET: a retried batch, or a delta rewriting a bucket without the groups
// it moved, leaves exactly this content.
UNWIND range(0, size($bucket) - 1) AS i
MERGE (b:GroupBucket {bucket: $bucket[i]})
SET b.rows = $rows[i], b.data = $data[i], b.largest = $largest[i],
    b.largest_first = $largest_first[i]
