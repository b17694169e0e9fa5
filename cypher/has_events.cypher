// Whether events are stored in chunks, and whether a schema-version-1 store still keeps
// some as :Event nodes.
CALL () { MATCH (c:EventChunk) RETURN count(c) > 0 AS chunked }
CALL () { OPTIONAL MATCH (e:Event) WITH e LIMIT 1 RETURN e IS NOT NULL AS legacy }
RETURN chunked, legacy
