// Counts of events, profiles and merged profiles.
CALL { MATCH (e:Event) RETURN count(e) AS events }
CALL { MATCH (p:Profile) RETURN count(p) AS profiles }
CALL { MATCH (p:Profile) WHERE size(p.merged_ids) > 0 RETURN count(p) AS merged_profiles }
RETURN events, profiles, merged_profiles
