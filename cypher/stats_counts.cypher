// Counts of events, profiles and merged profiles.
CALL () { MATCH (c:EventChunk) RETURN coalesce(sum(c.rows), 0) AS events }
CALL () { MATCH (p:Profile) RETURN count(p) AS profiles }
CALL () { MATCH (p:Profile) WHERE p.merged_ids IS NOT NULL RETURN count(p) AS merged_profiles }
RETURN events, profiles, merged_profiles
