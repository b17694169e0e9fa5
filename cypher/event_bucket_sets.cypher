// The loads whose events have id buckets (generation, bucket count), and the generations
// that stored event chunks (a chunk's generation without a set: read the chunks instead).
CALL () { MATCH (s:EventBuckets) RETURN collect([s.generation, s.buckets]) AS sets }
CALL () { MATCH (c:EventChunk) RETURN collect(DISTINCT c.generation) AS chunked }
RETURN sets, chunked
