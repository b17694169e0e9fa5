// New events, as compressed Arrow IPC chunks: [chunk_id, generation, part, rows, data].
// chunk_id is a hash of the chunk's bytes, so a chunk written twice is stored once.
UNWIND $rows AS r
MERGE (c:EventChunk {chunk_id: r[0]})
ON CREATE SET c.generation = r[1], c.part = r[2], c.rows = r[3], c.data = r[4]
