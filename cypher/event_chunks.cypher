// Every stored event chunk, in the order they were appended.
MATCH (c:EventChunk)
RETURN c.data AS data
ORDER BY c.generation, c.part
