// Constraints that stay for the store's life, created on first use (the ones of the derived
// state are in derived_schema.cypher): statements end with a semicolon at line end.
CREATE CONSTRAINT identigraph_meta_key IF NOT EXISTS
FOR (n:Meta) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT identigraph_event_chunk_id IF NOT EXISTS
FOR (n:EventChunk) REQUIRE n.chunk_id IS UNIQUE;
// event id -> event: a load's events by id bucket (graph/neo4j_store/eventindex.py)
CREATE INDEX identigraph_event_bucket IF NOT EXISTS
FOR (n:EventBucket) ON (n.generation, n.bucket);
CREATE CONSTRAINT identigraph_event_buckets IF NOT EXISTS
FOR (n:EventBuckets) REQUIRE n.generation IS UNIQUE;
// identifier -> its group's events: the group buckets (graph/neo4j_store/groupindex.py)
CREATE CONSTRAINT identigraph_group_bucket IF NOT EXISTS
FOR (n:GroupBucket) REQUIRE n.bucket IS UNIQUE;
// stats: the buckets whose largest groups are largest
CREATE INDEX identigraph_group_bucket_largest IF NOT EXISTS
FOR (n:GroupBucket) ON (n.largest)
