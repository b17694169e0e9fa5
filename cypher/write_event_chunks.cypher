// New events, as compressed Arrow IPC chunks. Columnar: chunk i is $chunk_id[i],
// $generation[i], $part[i], $rows[i], $data[i]. chunk_id is a hash of the chunk's bytes, so a
// chunk written twice is stored once.
UNWIND range(0, size($chunk_id) - 1) AS i
MERGE (c:EventChunk {chunk_id: $chunk_id[i]})
ON CREATE SET c.generation = $generation[i], c.part = $part[i], c.rows = $rows[i],
              c.data = $data[i]
