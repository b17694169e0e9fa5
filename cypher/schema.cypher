// Constraints that stay for the store's life, created on first use (the ones of the derived
// state are in derived_schema.cypher): statements end with a semicolon at line end.
CREATE CONSTRAINT identigraph_meta_key IF NOT EXISTS
FOR (n:Meta) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT identigraph_event_chunk_id IF NOT EXISTS
FOR (n:EventChunk) REQUIRE n.chunk_id IS UNIQUE
