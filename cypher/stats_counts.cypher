// Counts of events (in chunks, and any :Event node a schema-version-1 store still has),
// profiles and merged profiles.
CALL () { MATCH (c:EventChunk) RETURN coalesce(sum(c.rows), 0) AS chunked }
CALL () { MATCH (e:Event) RETURN count(e) AS legacy }
CALL () { MATCH (p:Profile) RETURN count(p) AS profiles }
CALL () { MATCH (p:Profile) WHERE p.merged_ids IS NOT NULL RETURN count(p) AS merged_profiles }
RETURN chunked + legacy AS events, profiles, merged_profiles
