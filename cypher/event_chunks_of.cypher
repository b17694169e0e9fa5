// The event chunks one load (generation) stored, in the order it appended them.
MATCH (c:EventChunk {generation: $generation})
RETURN c.data AS data
ORDER BY c.part
