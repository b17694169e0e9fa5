// Identifiers that events tie to many profiles: a shop's own phone typed at checkout, a
// test address, a family email. Blocked values show up here too.
// Parameters: $min_profiles (e.g. 5), $limit.
MATCH (i:Identifier)-[r:EVIDENCE]-(other:Identifier)
OPTIONAL MATCH (other)-[:ON]->(op:Profile)
WITH i, count(r) AS degree, count(DISTINCT op) AS profiles,
     collect(DISTINCT r.rule) AS rules, collect(DISTINCT r.type) AS event_types
WHERE profiles >= $min_profiles
RETURN i.key AS identifier, coalesce(i.blocked, false) AS blocked,
       [(i)-[:ON]->(p:Profile) | p.profile_id][0] AS own_profile, degree, profiles, rules,
       event_types
ORDER BY profiles DESC, degree DESC, identifier
LIMIT $limit
